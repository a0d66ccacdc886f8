"""Streamlit pages of the safety-regulation knowledge base, plus their shared pure helpers."""
