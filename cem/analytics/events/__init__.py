"""analytics/events"""
