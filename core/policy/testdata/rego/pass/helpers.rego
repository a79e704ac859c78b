package gdbos.fixtures

officer := {"user": "li", "superadmin": false, "tenants": ["230102"], "attributes": {}}
