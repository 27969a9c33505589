"""National coverage: figures from grouped SQL, the dashboard, the map and the public open data."""
