// Package iam reads IAM and resource policies, knows which actions exist (the
// action catalog), and evaluates who may do what on which bucket, key and
// secret, following AWS's documented policy evaluation logic.
//
// The catalog (catalog.tsv) is generated from the Service Authorization
// Reference by internal/cataloggen (go generate ./extractor/internal/iam). Action
// names match case-insensitively; * and ? work in actions and resources.
//
// Evaluation, for a principal P, an action A and a resource R:
//
//   - identity policies: the user's inline and attached policies and those of
//     its groups, or the role's; Action/NotAction, Resource/NotResource;
//   - an explicit Deny in any policy wins;
//   - a permissions boundary caps identity grants, and for a role the grants
//     a resource policy makes to the role's ARN (not for a user);
//   - resource policies: in P's own account the identity policy or the
//     resource policy suffices; across accounts both must allow;
//   - KMS keys: the key policy must allow P, or allow P's account root (which
//     lets IAM policies count) and an identity policy allows A;
//   - SCPs cap P's account and RCPs R's account; each level must allow.
//
// Where the data cannot say, the approximations are these, and each is
// reported (Engine.Notes, Decision.Reason) or marks the grant conditional:
//
//   - Condition blocks are not evaluated: an Allow under a condition counts as
//     granted and is marked conditional; a Deny under a condition does not
//     remove a grant but marks it conditional.
//   - Policy variables: ${aws:username} (users) and ${aws:PrincipalAccount}
//     are resolved; any other variable matches anything, which marks an Allow
//     conditional and leaves a Deny conditional.
//   - A bucket stands for itself and its objects: an object action is granted
//     when some object may be reached, and a Deny removes it only when it
//     covers every object (a Deny on part of the objects marks it
//     conditional).
//   - A key whose policy cannot be read is assumed to have the default key
//     policy, which delegates to the account's IAM policies.
//   - Organization policy files of one account form one level; a level with
//     no Allow statement is taken to sit beside FullAWSAccess.
//   - Deny with NotPrincipal spares P only when both P's ARN and its account
//     are listed, and never when P has a permissions boundary, as AWS
//     documents.
//   - A policy that applies but could not be read (malformed, or absent
//     from the input: an identity policy, the permissions boundary, an SCP
//     of P's account, an RCP of R's account, R's resource policy) makes the
//     decision unknown, naming it and what was wrong with it. One exception:
//     an unconditional Deny in a readable policy that matches still decides
//     explicit_deny, since no other policy can lift a Deny. Grants are
//     computed from the readable policies, and the score of such a principal
//     is N/A (policy_unreadable).
//   - Not modelled: session policies, assumed-role session principals in
//     resource policies, access points, S3 ACLs and object ownership, KMS
//     grants, VPC endpoint policies, and the exemption of the management
//     account and service-linked roles from SCPs.
//
// Granted actions per service (ServiceGrants), beyond the three scored
// resource kinds, are what each principal's identity-based policies let it
// do in every service of the catalog, whatever the resource. An action A is
// granted to a principal P when
//
//   - some Allow statement of P's identity policies names A (Action, or
//     outside NotAction) with a Resource that names something (any Resource
//     entry, or a NotResource that does not exclude "*"), conditions or not;
//   - P's permissions boundary, when it has one, allows A the same way;
//   - each level of the SCPs of P's account allows A the same way (a level
//     without any Allow sits beside FullAWSAccess);
//   - and no Deny without a Condition, in any of those policies, names A on
//     every resource: a Resource entry of wildcards only ("*"), or an ARN
//     of A's service whose region, account and resource are wildcards
//     ("arn:aws:s3:::*", "arn:aws:iam::*:*").
//
// A Deny on part of the resources leaves A granted: it is allowed on some
// resource. Resource entries are not matched against the resource types A
// applies to: s3:* on one bucket counts s3:ListAllMyBuckets, which needs
// "*", as granted (an over-count of what the policy allows). Resource policies are not read here: the grants they make on
// buckets, keys and secrets are in Engine.Grants, and the score step adds
// them to these. Permission boundaries and SCPs cap as above; RCPs, which
// cap resources, do not remove an action from every resource and are left
// out. Policies that could not be read are left out, as Engine.Grants
// leaves them, and make the principal's scores N/A.
package iam
