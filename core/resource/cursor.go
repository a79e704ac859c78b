package resource

// CursorOf is the List cursor that points just after o, for edges of a connection.
func CursorOf(o Object) string {
	return encodeCursor(listKey{Tenant: o.Metadata.Tenant, Kind: o.Kind, Name: o.Metadata.Name})
}
