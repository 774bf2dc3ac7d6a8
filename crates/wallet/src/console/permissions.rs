//! What a member of staff may do: permission groups, each a view/manage pair, and roles as sets of
//! them. Managing a group includes viewing it. The four built-in roles are fixed here, in code,
//! so no row in the database can widen what "support" means; an admin may define custom roles,
//! which are stored.

use std::collections::BTreeSet;

crate::named! {
    /// An area of the console, guarded by a view/manage pair.
    pub enum Group {
        /// Holders: profiles, freeze and unfreeze, sessions.
        Holders = "holders",
        /// Real-name verification and its review queue.
        Kyc = "kyc",
        /// Risk holds, the block list and rule sets.
        Risk = "risk",
        /// Adjustments, refunds on behalf, reconciliation.
        Money = "money",
        /// Merchants.
        Merchants = "merchants",
        /// Limits, fees, risk rules and rates.
        Policy = "policy",
        /// Staff and roles.
        Staff = "staff",
        /// The audit log.
        Audit = "audit",
    }
}

crate::named! {
    /// How far a permission reaches within its group.
    pub enum Access {
        /// Read.
        View = "view",
        /// Read and change.
        Manage = "manage",
    }
}

/// One permission: a group and an access, written `holders.view`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission {
    /// The area.
    pub group: Group,
    /// View or manage.
    pub access: Access,
}

impl PartialOrd for Group {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Group {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let at = |g: &Group| Group::ALL.iter().position(|x| x == g);
        at(self).cmp(&at(other))
    }
}

impl PartialOrd for Access {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Access {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self == Access::Manage).cmp(&(*other == Access::Manage))
    }
}

impl Permission {
    /// `group` viewed.
    pub const fn view(group: Group) -> Permission {
        Permission {
            group,
            access: Access::View,
        }
    }

    /// `group` managed.
    pub const fn manage(group: Group) -> Permission {
        Permission {
            group,
            access: Access::Manage,
        }
    }

    /// Reads `holders.view`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Permission> {
        let (group, access) = text.split_once('.')?;
        Some(Permission {
            group: Group::parse(group)?,
            access: Access::parse(access)?,
        })
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.group, self.access)
    }
}

/// The permissions a role grants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    /// A set of these permissions.
    pub fn of(permissions: impl IntoIterator<Item = Permission>) -> PermissionSet {
        PermissionSet(permissions.into_iter().collect())
    }

    /// Whether the set allows `wanted`: it holds it, or it is a view and the set manages the group.
    pub fn allows(&self, wanted: Permission) -> bool {
        self.0.contains(&wanted)
            || (wanted.access == Access::View && self.0.contains(&Permission::manage(wanted.group)))
    }

    /// The permissions, in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    /// The stored form: names joined by commas, in a stable order.
    pub fn to_text(&self) -> String {
        self.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored or typed form; the first name that is no permission is the error.
    pub fn parse(text: &str) -> Result<PermissionSet, String> {
        text.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| Permission::parse(t).ok_or_else(|| t.to_string()))
            .collect::<Result<BTreeSet<_>, _>>()
            .map(PermissionSet)
    }
}

crate::named! {
    /// The roles every operator has, whose permissions are fixed in code.
    pub enum BuiltInRole {
        /// Answers holders: looks them up, ends sessions, reviews ID documents.
        Support = "support",
        /// Works the risk queue and the block list.
        Risk = "risk",
        /// Corrects money and reconciles with the bank.
        Finance = "finance",
        /// Everything, including staff, roles and policy.
        Admin = "admin",
    }
}

impl BuiltInRole {
    /// What the role may do.
    pub fn permissions(self) -> PermissionSet {
        use Group::*;
        match self {
            BuiltInRole::Support => PermissionSet::of([
                Permission::manage(Holders),
                Permission::manage(Kyc),
                Permission::view(Merchants),
                Permission::view(Risk),
            ]),
            BuiltInRole::Risk => PermissionSet::of([
                Permission::view(Holders),
                Permission::view(Kyc),
                Permission::manage(Risk),
                Permission::view(Merchants),
                Permission::view(Audit),
            ]),
            BuiltInRole::Finance => PermissionSet::of([
                Permission::view(Holders),
                Permission::manage(Money),
                Permission::view(Merchants),
                Permission::view(Policy),
                Permission::view(Audit),
            ]),
            BuiltInRole::Admin => PermissionSet::of(
                Group::ALL
                    .iter()
                    .map(|g| Permission::manage(*g))
                    .collect::<Vec<_>>(),
            ),
        }
    }
}

/// A custom role's name: 2 to 32 of `a-z`, `0-9` and `_`, starting with a letter, and not a
/// built-in role's name.
pub fn custom_role_name(text: &str) -> Result<String, &'static str> {
    let ok = (2..=32).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err("a role's name is 2 to 32 of a-z, 0-9 and _, starting with a letter");
    }
    if BuiltInRole::parse(text).is_some() {
        return Err("that name is a built-in role's");
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managing_a_group_allows_viewing_it_but_not_the_other_way() {
        let set = PermissionSet::of([
            Permission::manage(Group::Risk),
            Permission::view(Group::Kyc),
        ]);
        assert!(set.allows(Permission::view(Group::Risk)));
        assert!(set.allows(Permission::manage(Group::Risk)));
        assert!(set.allows(Permission::view(Group::Kyc)));
        assert!(!set.allows(Permission::manage(Group::Kyc)));
        assert!(!set.allows(Permission::view(Group::Staff)));
    }

    #[test]
    fn only_the_admin_manages_staff_and_every_role_differs() {
        for role in BuiltInRole::ALL {
            let staff = role.permissions().allows(Permission::manage(Group::Staff));
            assert_eq!(staff, *role == BuiltInRole::Admin, "{role}");
        }
        let texts: BTreeSet<String> = BuiltInRole::ALL
            .iter()
            .map(|r| r.permissions().to_text())
            .collect();
        assert_eq!(texts.len(), BuiltInRole::ALL.len());
    }

    #[test]
    fn a_set_round_trips_through_its_text_and_a_bad_name_is_named() {
        let admin = BuiltInRole::Admin.permissions();
        assert_eq!(PermissionSet::parse(&admin.to_text()), Ok(admin));
        assert_eq!(
            PermissionSet::parse("holders.view, kyc.approve"),
            Err("kyc.approve".to_string())
        );
        assert_eq!(
            PermissionSet::parse("money.manage,holders.view").map(|s| s.to_text()),
            Ok("holders.view,money.manage".to_string())
        );
    }

    #[test]
    fn custom_names_are_plain_and_never_a_built_in_one() {
        assert!(custom_role_name("night_shift").is_ok());
        assert!(custom_role_name("admin").is_err());
        assert!(custom_role_name("Admin").is_err());
        assert!(custom_role_name("x").is_err());
        assert!(custom_role_name("1team").is_err());
    }
}
