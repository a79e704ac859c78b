package gdbos.users_test

import data.gdbos.fixtures.officer
import data.gdbos.retention
import data.gdbos.users

test_officer_sees_own_county if {
	users.allow with input as {"subject": officer, "row": {"path": "/230000/230100/230102/"}}
}

test_officer_does_not_see_other_county if {
	not users.allow with input as {"subject": officer, "row": {"path": "/230000/230100/230103/"}}
}

test_delete_refused if {
	"records are kept for 30 years" in retention.deny with input as {"action": "delete"}
}
