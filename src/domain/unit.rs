//! Supply-guarantee units (保供单位) with the survey figures of the plan.

use crate::code_enum;

code_enum! {
    pub enum UnitCategory {
        GrainOil => ("grain_oil", "粮油", "Grain & oil", ["grain", "oil"]),
        Meat => ("meat", "肉类", "Meat", []),
        Vegetables => ("vegetables", "蔬菜", "Vegetables", ["veg"]),
        EggsMilk => ("eggs_milk", "蛋奶", "Eggs & milk", ["milk", "eggs"]),
        Medicine => ("medicine", "药品", "Medicine", ["pharmacy", "药店"]),
        Protective => ("protective", "防护用品", "Protective supplies", ["ppe"]),
        Logistics => ("logistics", "物流", "Logistics", ["transport", "运输"]),
        Retail => ("retail", "综合零售", "General retail", ["supermarket", "超市"]),
    }
}

/// The survey figures (摸清供给能力): daily sales, regular stock and storage
/// capacity in tonnes (or the unit's own measure), and head counts.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Capacity {
    pub daily_sales: f64,
    pub regular_stock: f64,
    pub storage_capacity: f64,
    pub staff: i64,
    pub vehicles: i64,
    pub drivers: i64,
}

impl Capacity {
    /// Survey figures cannot be negative and stock cannot exceed storage.
    pub fn check(&self) -> Result<(), &'static str> {
        if [self.daily_sales, self.regular_stock, self.storage_capacity]
            .iter()
            .any(|v| !v.is_finite() || *v < 0.0)
            || [self.staff, self.vehicles, self.drivers]
                .iter()
                .any(|v| *v < 0)
        {
            return Err("survey figures cannot be negative");
        }
        if self.regular_stock > self.storage_capacity && self.storage_capacity > 0.0 {
            return Err("regular stock exceeds storage capacity");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_checks() {
        let ok = Capacity {
            daily_sales: 2.0,
            regular_stock: 10.0,
            storage_capacity: 50.0,
            staff: 12,
            vehicles: 3,
            drivers: 3,
        };
        assert!(ok.check().is_ok());
        assert!(Capacity { staff: -1, ..ok }.check().is_err());
        assert!(
            Capacity {
                regular_stock: 60.0,
                ..ok
            }
            .check()
            .is_err()
        );
        assert!(
            Capacity {
                daily_sales: f64::NAN,
                ..ok
            }
            .check()
            .is_err()
        );
    }
}
