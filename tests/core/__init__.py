"""What every side stands on: settings, migrations, logs, health, CSV safety, words."""
