"""journeys"""
