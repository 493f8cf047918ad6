"""ui/analytics"""
