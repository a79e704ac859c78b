package gdbos.guard

deny contains "name required" if not input.object.metadata.name
