"""The search across a concept (…/suche/): queries, the text rules behind them, the page."""
