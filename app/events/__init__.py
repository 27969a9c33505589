"""Welcome House activities: venues, one-off and recurring dates, sign-ups, waitlists, calendars."""
