"""Firegrid (消防网格): rental-housing fire-safety campaigns and their long-term mechanism."""
