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
//     a resource policy makes to the role's ARN (not for a user, and not
//     what it grants to the role session: see below);
//   - resource policies: in P's own account the identity policy or the
//     resource policy suffices; across accounts both must allow;
//   - KMS keys: the key policy must allow P, or allow P's account root (which
//     lets IAM policies count) and an identity policy allows A;
//   - SCPs cap P's account and RCPs R's account; each level must allow.
//
// Where AWS's documentation leaves a reading to choose, the choices are
// these, each with its source in the IAM User Guide (IUG) or the
// Organizations User Guide (OUG):
//
//   - ${*}, ${?} and ${$} are the characters *, ? and $ themselves, not
//     wildcards (IUG, "IAM policy elements: Variables and tags", special
//     characters): arn:aws:s3:::b/lit/${*} matches only the key lit/*.
//   - A variable whose key is absent from the request makes its Resource
//     entry match nothing (IUG, "Policy variables with no value"):
//     ${aws:username} never exists for a role session, so in a role's
//     policy the entry adds nothing under Resource and excludes nothing
//     under NotResource; ${aws:username, 'default'} takes the default.
//   - A statement whose Resource entries are partly resolved is conditional
//     only where no resolved entry matches: each entry is a way to match
//     (IUG, "IAM JSON policy elements: Resource").
//   - Resource-based policy and permissions boundary (IUG, "Permissions
//     boundaries for IAM entities", evaluating effective permissions, and
//     "Policy evaluation for requests within a single account"): a grant to
//     a role's ARN is limited by the boundary's implicit deny; a grant to a
//     role session's ARN is made to the session and is not. A grant to "*"
//     (or through NotPrincipal) names whoever makes the request, that is the
//     session itself, so it is not limited either; a grant to one session
//     (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) is conditional, since
//     the session name is known only at request time. For a user, the
//     boundary never limits what a resource policy grants.
//   - A Deny with NotPrincipal that lists a user but not the user's account
//     denies the user: AWS documents that the account must be listed too,
//     and that a principal with a permissions boundary is always denied
//     (IUG, "AWS JSON policy elements: NotPrincipal"). Decision.Reason says
//     so when it happens.
//   - ARNs match case-sensitively (IUG, "IAM identifiers", ARNs, and the Arn
//     condition operators): ARN:AWS:S3:::b/* matches nothing, and a note
//     names it. * and ? work inside any part of an ARN, the resource type
//     included (IUG, "IAM JSON policy elements: Resource": wildcards in any
//     ARN segment), so arn:aws:iam::1:u*/bob matches user/bob.
//   - RCPs cannot use NotAction nor an Action of "*" (OUG, "RCP syntax");
//     AWS refuses such a policy, so its statement is ignored with a note.
//     The one exception is AWS's RCPFullAWSAccess, an Allow of "*" to "*" on
//     "*", which is read as written.
//   - A KMS alias ARN is the resource of the alias actions (kms:CreateAlias,
//     kms:UpdateAlias, kms:DeleteAlias; Service Authorization Reference): it
//     has no policy of its own, so identity policies decide. Other actions
//     on an alias are the key's, and the CLI resolves the alias first.
//
// Where the data cannot say, the approximations are these, and each is
// reported (Engine.Notes, Decision.Reason) or marks the grant conditional:
//
//   - Condition blocks are not evaluated for grants: an Allow under a
//     condition counts as granted and is marked conditional; a Deny under a
//     condition does not remove a grant but marks it conditional. A
//     simulation given a request context (Options.Context, simulate
//     --context) evaluates them: a condition that fails drops its
//     statement, one that holds applies it without condition, and one on a
//     key the context does not give (or with an operator not known here)
//     stays conditional. A negated operator on a key not given is not
//     assumed true, although AWS holds it true when the key is absent from
//     the request: a key not given is unknown, not absent.
//   - Policy variables: ${aws:username} (users), ${aws:PrincipalAccount} and
//     the keys a request context gives are resolved; any other variable
//     matches anything, which marks an Allow conditional and leaves a Deny
//     conditional.
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
//   - Not modelled: session policies, the session name of an assumed-role
//     session principal in resource policies, access points, S3 ACLs and object ownership, KMS
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
