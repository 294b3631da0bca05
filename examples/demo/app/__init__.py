"""demo-relay: a webhook relay with an ACTIVE/PASSIVE pair of instances."""
