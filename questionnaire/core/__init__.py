"""What every side of the app stands on: settings, the database and its models, migrations, the
audit log, words for codes, mail, the web plumbing.
"""
