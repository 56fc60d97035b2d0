SELECT "dept", "dept_name", "building" FROM "uni.#department" WHERE NOT (EXISTS (SELECT 1 FROM (SELECT "dept" AS "$c0" FROM "uni.student") AS "$1" WHERE "$1"."$c0" = "dept") OR "dept" = ?)
-- params: ['CS']
