"""Settings split by purpose: ``base`` holds everything shared, ``dev`` runs the portal on
embedded defaults, ``production`` refuses to start without real configuration, ``test`` is what
pytest uses. Every value a deployment may change comes from the environment."""
