//! Special groups (特殊群体) and point-to-point delivery to their door.
//! queued → assigned → en route → delivered | failed (reason) → requeued;
//! any open delivery can be cancelled.

use super::machine::{self, Forbidden};
use crate::code_enum;

code_enum! {
    /// Who gets delivery to the door: institutions and people in hardship.
    pub enum Group {
        IsolationSite => ("isolation_site", "集中隔离点", "Isolation site", ["隔离点"]),
        DesignatedHospital => ("designated_hospital", "定点医院", "Designated hospital", ["hospital", "医院"]),
        ElderCareHome => ("elder_care_home", "养老机构", "Elder-care home", ["养老院", "care_home"]),
        ElderlyAlone => ("elderly_alone", "独居老人", "Elderly living alone", ["elderly", "老人"]),
        Pregnant => ("pregnant", "孕产妇", "Pregnant or postpartum", ["孕妇", "产妇"]),
        Disabled => ("disabled", "残疾人", "Disabled", ["残疾"]),
        Subsistence => ("subsistence", "低保对象", "Subsistence allowance", ["低保", "dibao"]),
        ExtremePoverty => ("extreme_poverty", "特困人员", "Extreme poverty", ["特困"]),
        MobilityImpaired => ("mobility_impaired", "行动不便人员", "Mobility impaired", ["行动不便"]),
        LeftBehindChild => ("left_behind_child", "留守儿童", "Left-behind child", ["留守"]),
        VulnerableChild => ("vulnerable_child", "困境儿童", "Vulnerable child", ["困境"]),
        Homeless => ("homeless", "流浪乞讨人员", "Homeless", ["流浪"]),
        Dialysis => ("dialysis", "血透患者", "Dialysis patient", ["血透"]),
        Psychiatric => ("psychiatric", "精神病患者", "Psychiatric patient", ["精神病"]),
        ChronicDisease => ("chronic_disease", "慢性病患者", "Chronic disease", ["慢性病", "chronic"]),
    }
}

impl Group {
    /// Institutions receive for many people; the rest are households.
    pub fn is_institution(self) -> bool {
        matches!(
            self,
            Group::IsolationSite | Group::DesignatedHospital | Group::ElderCareHome
        )
    }
}

code_enum! {
    /// Ordered most urgent first.
    pub enum Urgency {
        Urgent => ("urgent", "特急", "Urgent", ["紧急", "critical"]),
        High => ("high", "急", "High", ["较急"]),
        Normal => ("normal", "普通", "Normal", ["一般"]),
    }
}

impl Urgency {
    pub fn symbol(self) -> &'static str {
        match self {
            Urgency::Urgent => "!!!",
            Urgency::High => "!! ",
            Urgency::Normal => "   ",
        }
    }
}

code_enum! {
    pub enum DeliveryState {
        Queued => ("queued", "待分派", "Queued", ["待配送"]),
        Assigned => ("assigned", "已分派", "Assigned", []),
        EnRoute => ("en_route", "配送中", "En route", ["enroute", "途中"]),
        Delivered => ("delivered", "已送达", "Delivered", ["送达", "done"]),
        Failed => ("failed", "未送达", "Failed", ["失败"]),
        Cancelled => ("cancelled", "已取消", "Cancelled", ["canceled", "取消"]),
    }
}

impl DeliveryState {
    /// Still to be done (a failed delivery waits to be requeued).
    pub fn is_open(self) -> bool {
        !matches!(self, DeliveryState::Delivered | DeliveryState::Cancelled)
    }
}

code_enum! {
    pub enum DeliveryAction {
        Assign => ("assign", "分派", "Assign", []),
        Depart => ("depart", "出发", "En route", ["en_route"]),
        Deliver => ("deliver", "送达", "Delivered", []),
        Fail => ("fail", "未送达", "Failed", []),
        Requeue => ("requeue", "重新排队", "Requeue", []),
        Cancel => ("cancel", "取消", "Cancel", []),
    }
}

code_enum! {
    pub enum FailReason {
        NobodyHome => ("nobody_home", "无人在家", "Nobody home", ["无人"]),
        WrongAddress => ("wrong_address", "地址错误", "Wrong address", ["地址错"]),
        Refused => ("refused", "拒收", "Refused", []),
        Other => ("other", "其他", "Other", ["其它"]),
    }
}

code_enum! {
    pub enum AssigneeKind {
        Volunteer => ("volunteer", "志愿者", "Volunteer", []),
        Vehicle => ("vehicle", "车辆", "Vehicle", []),
    }
}

use DeliveryAction as A;
use DeliveryState as S;

pub const TRANSITIONS: &[(DeliveryState, DeliveryAction, DeliveryState)] = &[
    (S::Queued, A::Assign, S::Assigned),
    (S::Assigned, A::Assign, S::Assigned),
    (S::Assigned, A::Depart, S::EnRoute),
    (S::EnRoute, A::Deliver, S::Delivered),
    (S::EnRoute, A::Fail, S::Failed),
    (S::Assigned, A::Fail, S::Failed),
    (S::Failed, A::Requeue, S::Queued),
    (S::Queued, A::Cancel, S::Cancelled),
    (S::Assigned, A::Cancel, S::Cancelled),
    (S::EnRoute, A::Cancel, S::Cancelled),
    (S::Failed, A::Cancel, S::Cancelled),
];

pub fn step(
    from: DeliveryState,
    action: DeliveryAction,
) -> Result<DeliveryState, Forbidden<DeliveryState, DeliveryAction>> {
    machine::step(TRANSITIONS, from, action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::Code;

    fn expected(from: DeliveryState, action: DeliveryAction) -> Option<DeliveryState> {
        match (from, action) {
            (S::Queued | S::Assigned, A::Assign) => Some(S::Assigned),
            (S::Assigned, A::Depart) => Some(S::EnRoute),
            (S::EnRoute, A::Deliver) => Some(S::Delivered),
            (S::Assigned | S::EnRoute, A::Fail) => Some(S::Failed),
            (S::Failed, A::Requeue) => Some(S::Queued),
            (S::Queued | S::Assigned | S::EnRoute | S::Failed, A::Cancel) => Some(S::Cancelled),
            _ => None,
        }
    }

    #[test]
    fn every_pair_of_state_and_action() {
        for &from in DeliveryState::ALL {
            for &action in DeliveryAction::ALL {
                assert_eq!(
                    step(from, action).ok(),
                    expected(from, action),
                    "{from:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn every_group_of_the_plan_is_there() {
        assert_eq!(Group::ALL.len(), 15);
        assert_eq!(Group::parse("血透患者"), Some(Group::Dialysis));
        assert_eq!(Group::parse("elderly"), Some(Group::ElderlyAlone));
        assert!(Group::ElderCareHome.is_institution());
        assert!(!Group::Dialysis.is_institution());
    }

    #[test]
    fn urgency_orders_most_urgent_first() {
        let mut v = vec![Urgency::Normal, Urgency::Urgent, Urgency::High];
        v.sort();
        assert_eq!(v, [Urgency::Urgent, Urgency::High, Urgency::Normal]);
    }
}
