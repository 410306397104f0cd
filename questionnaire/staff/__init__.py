"""The signed-in side: who is signed in and with what role, sign-in and the second factor, and
one package each for submissions, the dashboard, exports, alerts and administration.
"""
