"""The block library: one module per family. Every Block subclass with an `id` is registered."""
