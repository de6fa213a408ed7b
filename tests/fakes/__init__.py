"""Local servers speaking third-party services' documented protocols, one module per provider."""
