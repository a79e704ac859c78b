package gdbos.guard_test

import data.gdbos.guard

test_named_object_allowed if {
	count(guard.deny) == 0 with input as {"object": {"metadata": {"name": "x"}}}
}

test_wrong_expectation if {
	print("deny:", guard.deny) with input as {"object": {"metadata": {}}}
	count(guard.deny) == 0 with input as {"object": {"metadata": {}}}
}
