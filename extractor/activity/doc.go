// Package activity is the product's model: the kinds of principals and
// resources (with the registry that says how each resource kind is named in
// ARNs, CloudTrail and discovery), ARNs and partitions, the activity window,
// and the plain types every step passes on. It imports nothing of the
// project and knows nothing of SQL: the store persists these types, the
// steps compute from them, and the provider reads them.
package activity
