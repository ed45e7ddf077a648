//! Places of the plan: community (社区) or village (村) → compound (小区) or
//! village group (组) → building (楼栋) or courtyard (自然院落).

use crate::code_enum;

code_enum! {
    pub enum CommunityKind {
        Community => ("community", "社区", "Community", ["urban"]),
        Village => ("village", "村", "Village", []),
    }
}

code_enum! {
    pub enum CompoundKind {
        Compound => ("compound", "小区", "Compound", []),
        Group => ("group", "组", "Village group", ["村民小组"]),
    }
}

code_enum! {
    pub enum BuildingKind {
        Building => ("building", "楼栋", "Building", ["楼"]),
        Courtyard => ("courtyard", "自然院落", "Courtyard", ["院落"]),
    }
}

/// Resident (常住) and floating (流动) population.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Population {
    pub resident: i64,
    pub floating: i64,
}

impl Population {
    pub fn total(self) -> i64 {
        self.resident + self.floating
    }
}

impl std::ops::Add for Population {
    type Output = Population;
    fn add(self, o: Population) -> Population {
        Population {
            resident: self.resident + o.resident,
            floating: self.floating + o.floating,
        }
    }
}

/// The compound kind that belongs under a community kind.
pub fn compound_kind_for(kind: CommunityKind) -> CompoundKind {
    match kind {
        CommunityKind::Community => CompoundKind::Compound,
        CommunityKind::Village => CompoundKind::Group,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_adds_up() {
        let a = Population {
            resident: 516,
            floating: 20,
        };
        let b = Population {
            resident: 100,
            floating: 5,
        };
        assert_eq!((a + b).total(), 641);
    }

    #[test]
    fn villages_have_groups() {
        assert_eq!(
            compound_kind_for(CommunityKind::Village),
            CompoundKind::Group
        );
        assert_eq!(
            compound_kind_for(CommunityKind::Community),
            CompoundKind::Compound
        );
    }
}
