package graph

// JSON is the schema's JSON scalar, for the fields modules add: a module cannot
// declare a second scalar of that name.
var JSON = jsonScalar
