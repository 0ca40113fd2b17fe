"""Clinical rules: one module per area, each a pure function of `PatientFacts` and the knowledge base."""
