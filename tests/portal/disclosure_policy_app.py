"""The module of tests.portal.policy_apps.DisclosurePoliciesConfig (app names must differ)."""
