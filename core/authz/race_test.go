//go:build race

package authz

// raceEnabled shortens tests whose size serves coverage, not concurrency.
const raceEnabled = true
