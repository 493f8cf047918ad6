"""ui/journeys"""
