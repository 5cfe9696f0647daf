"""Plans which build steps of a monorepo run, and in which parallel stages."""
