"""ui/ingest"""
