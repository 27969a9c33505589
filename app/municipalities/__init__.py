"""Denmark's regions, municipalities and postcode areas (reference data)."""
