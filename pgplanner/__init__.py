"""pgplanner: plan PostgreSQL connections and memory."""

__version__ = "0.1.0"
