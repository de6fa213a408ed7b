"""Language models for the AI blocks: the model table, the provider calls and their errors."""
