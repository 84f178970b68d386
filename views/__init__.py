"""The page, one module per view (each lays out its tab and wires its handlers); app.py composes them."""
