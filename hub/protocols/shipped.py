"""The protocols every hub ships with: for each category of concern, who to call, what to do first, what not
to do and where to refer, written for a village volunteer.

Each step is one gettext string, so the catalogs translate it line by line; hub.protocols.service joins
the lines and lets the coordinator's wording (ProtocolText) replace any part in one language. The advice
follows common community child-protection practice in South Asia and Latin America: act at once when a
child is in danger, keep the child safe, let trained people investigate, question the child only once,
never settle a crime privately, and share a child's details only with the authorities who need them.
"""

from flask_babel import lazy_gettext as _l

# Keys are the values of hub.cases.models.CATEGORIES, in the same order (a test checks it).
SHIPPED = {
    "child_labour": dict(
        who_to_call=(
            _l("The child helpline."),
            _l("The district child protection unit or the municipal child defence office."),
            _l("The police, if the child is locked in, hurt, or doing dangerous work."),
        ),
        first_steps=(
            _l("If the child is in danger now (locked in, hurt, dangerous work), call the child helpline or the "
               "police at once."),
            _l("Note what you saw: where, when, what work, how many children and how old they look."),
            _l("Talk calmly with the parents about the child's right to school and the help the family can get."),
            _l("Tell the school, so the child can go back to class."),
        ),
        do_not=(
            _l("Do not go into the workplace alone or argue with the employer."),
            _l("Do not shame or punish the child or the family in front of others."),
            _l("Do not share the child's name or photo with anyone but the authorities."),
        ),
        refer_to=(
            _l("Child helpline and district child protection unit (or municipal child defence office): rescue and "
               "care of the child."),
            _l("Police: action against the employer."),
            _l("School: back to school, with catch-up classes."),
            _l("Village council and NGO: schemes and income support for the family."),
        ),
    ),
    "trafficking": dict(
        who_to_call=(
            _l("The child helpline, at once."),
            _l("The police or the anti-trafficking unit, at once."),
            _l("If the child is being moved now (bus, train, border), the police at that place."),
        ),
        first_steps=(
            _l("Call the child helpline and the police or anti-trafficking unit at once: every hour counts."),
            _l("Keep the child safe with a trusted adult, and stay with them until help arrives."),
            _l("Write down what you know: who took the child, vehicle, phone numbers, where they were going."),
            _l("Tell the family and the vigilance committee."),
        ),
        do_not=(
            _l("Do not confront or follow the trafficker yourself."),
            _l("Do not let the child be questioned again and again: one trained person should listen."),
            _l("Do not share the child's name or photo with anyone but the authorities."),
            _l("Do not blame the child or the family."),
            _l("Do not accept money or a private settlement from the agent or employer."),
        ),
        refer_to=(
            _l("Police and anti-trafficking unit: rescue, and the case against the traffickers."),
            _l("Child helpline and district child protection unit: shelter, care and a safe return home."),
            _l("Health: a medical check."),
            _l("Legal services authority: free legal aid and compensation for the child."),
        ),
    ),
    "child_marriage": dict(
        who_to_call=(
            _l("The child helpline."),
            _l("The child marriage prohibition officer, or the police."),
            _l("The district child protection unit or the municipal child defence office."),
        ),
        first_steps=(
            _l("Act before the wedding day: a marriage is far easier to stop than to undo."),
            _l("As soon as you hear of it, tell the child helpline and the child marriage prohibition officer or "
               "the police, with the date and place."),
            _l("Talk with the child alone, in private, and tell them they can call the child helpline."),
            _l("With a respected person (a teacher, a village council member), talk with the parents about the "
               "law and the harm to the child."),
            _l("Check the child's age from a birth certificate or school record if you can."),
        ),
        do_not=(
            _l("Do not wait until the wedding day."),
            _l("Do not confront the families in public or at the ceremony yourself."),
            _l("Do not tell the family who reported it."),
            _l("Do not leave the child alone with angry relatives after you act: if they are threatened, call "
               "the child helpline again."),
        ),
        refer_to=(
            _l("Child marriage prohibition officer or police: stopping the marriage, with a court order if "
               "needed."),
            _l("Child helpline and district child protection unit: the child's safety and care."),
            _l("School: keeping the child in school."),
            _l("Village council and NGO: support for the family, and follow-up after the planned date."),
        ),
    ),
    "sexual_abuse": dict(
        who_to_call=(
            _l("The child helpline."),
            _l("The police (a women and children's desk if there is one)."),
            _l("The nearest hospital or health centre, if the child is hurt or it happened in the last few "
               "days."),
        ),
        first_steps=(
            _l("Make sure the child is safe now, away from the person suspected."),
            _l("Believe the child. Listen calmly; say it is not their fault and that telling was right."),
            _l("Take the child for medical care at once if hurt, or if it happened in the last 3 days."),
            _l("Call the child helpline or the police: sexual abuse of a child is a crime and must be reported."),
            _l("Keep the evidence: put the child's clothes in a paper bag and leave the place as it is."),
        ),
        do_not=(
            _l("Do not question the child in detail or make them tell it again and again."),
            _l("Do not confront or warn the person suspected."),
            _l("Do not wash the clothes or bedding before the doctor or police have seen them."),
            _l("Do not let elders or families settle it privately, with money or a marriage."),
            _l("Do not promise the child to keep it secret: say you will tell only people who can help."),
            _l("Do not share the child's name, photo or story with anyone who does not need it."),
        ),
        refer_to=(
            _l("Health: medical care, a medical examination and counselling."),
            _l("Police: the complaint. The child's statement should be taken once, by a woman officer where "
               "possible, in a safe place."),
            _l("Legal services authority: free legal aid, support in court and compensation."),
            _l("District child protection unit or municipal child defence office: the child's protection and "
               "care."),
        ),
    ),
    "physical_abuse": dict(
        who_to_call=(
            _l("The child helpline."),
            _l("The police, if the child is badly hurt or not safe at home."),
            _l("The health centre, if the child is injured."),
        ),
        first_steps=(
            _l("If the child is injured, take them for medical care first."),
            _l("If the child is not safe at home tonight, call the child helpline or the police for a safe "
               "place."),
            _l("Listen calmly and tell the child it is not their fault."),
            _l("Write down what you saw and what the child said in their own words, with the date."),
            _l("Once the child is safe, the case worker talks with the parents about discipline without "
               "violence."),
        ),
        do_not=(
            _l("Do not shout at or threaten the parent in front of the child."),
            _l("Do not send the child back to a home where they will be hurt again."),
            _l("Do not question the child again and again."),
            _l("Do not photograph the injuries on your own phone: the doctor records them."),
        ),
        refer_to=(
            _l("Health: treatment and a record of the injuries."),
            _l("Child helpline and district child protection unit (or municipal child defence office): a "
               "safety plan or a safe place to stay."),
            _l("Police: when the child is badly hurt or the violence goes on."),
            _l("NGO and the mothers' group: parenting support for the family."),
        ),
    ),
    "neglect": dict(
        who_to_call=(
            _l("A case worker of this hub."),
            _l("The child helpline, if a child is alone, hungry or sick with nobody caring for them."),
            _l("The health worker, if the child is sick or very thin."),
        ),
        first_steps=(
            _l("Make sure the child has food, shelter and an adult caring for them today."),
            _l("If a young child is left alone or is very sick, call the child helpline or take the child to the "
               "health centre."),
            _l("Visit the family with the care group and find out why: illness, work far away, poverty, alcohol."),
            _l("Help the family reach food rations, health care, school meals and cash support."),
        ),
        do_not=(
            _l("Do not blame or shame a poor family: poverty alone is not neglect."),
            _l("Do not take the child away from the family yourself."),
            _l("Do not talk about the family's problems with neighbours."),
        ),
        refer_to=(
            _l("Health: nutrition and medical care."),
            _l("Village council: food, housing and social protection schemes."),
            _l("District child protection unit or municipal child defence office: support or care when the "
               "family cannot cope."),
            _l("School: school meals and keeping the child in school."),
        ),
    ),
    "school_dropout": dict(
        who_to_call=(
            _l("The head teacher of the school."),
            _l("The school management committee."),
        ),
        first_steps=(
            _l("Tell the school and the school management committee first."),
            _l("Visit the family with a teacher or a committee member and find out why the child stopped: work, "
               "marriage, money, distance, bullying or illness."),
            _l("If the reason is work, marriage or migration, follow that protocol too."),
            _l("Agree a plan with the family and the school: catch-up classes, books, uniform, a scholarship."),
            _l("Check after two weeks that the child is going to school."),
        ),
        do_not=(
            _l("Do not shame the child in front of the class or the village."),
            _l("Do not accept \"not good at studies\" as a reason to stop."),
            _l("Do not wait: a child out of school is at risk of work, marriage and trafficking."),
        ),
        refer_to=(
            _l("School and school management committee: back to school, with catch-up classes."),
            _l("Village council or NGO: scholarships, uniforms and transport."),
            _l("District child protection unit or municipal child defence office: when the family needs more "
               "help."),
        ),
    ),
    "missing_child": dict(
        who_to_call=(
            _l("The police, within hours: do not wait a day."),
            _l("The child helpline."),
            _l("The vigilance committee and the volunteers, to search nearby."),
        ),
        first_steps=(
            _l("Go to the police at once and ask them to write down the complaint: there is no waiting time."),
            _l("Call the child helpline."),
            _l("Give the police a recent photo, what the child was wearing, and where they were last seen."),
            _l("Search nearby with neighbours: friends, relatives, bus and train stations, ponds and wells."),
            _l("Ask the vigilance committee whether anyone saw an agent or a stranger with the child."),
        ),
        do_not=(
            _l("Do not wait to see if the child comes back."),
            _l("Do not share the child's photo on social media or with strangers: give it only to the police and "
               "the child helpline."),
            _l("Do not pay anyone who says they can bring the child back: tell the police."),
            _l("When the child comes back, do not scold or punish them: listen, and tell the police the child "
               "is found."),
        ),
        refer_to=(
            _l("Police: the search, and the written complaint."),
            _l("Child helpline: alerts to shelters, stations and other districts."),
            _l("Anti-trafficking unit: if the child may have been taken for work or marriage."),
            _l("District child protection unit: care and support when the child is found."),
        ),
    ),
    "unsafe_migration": dict(
        who_to_call=(
            _l("The vigilance committee."),
            _l("The anti-trafficking unit or the police, if a child is being taken or the agent is suspicious."),
            _l("The child helpline, if the person leaving is under 18."),
        ),
        first_steps=(
            _l("Tell the vigilance committee: who is leaving, where to, with whom, and when they will return."),
            _l("Check the agent: full name, address, phone, licence, and the name and address of the employer."),
            _l("If the person leaving is under 18, stop and call the child helpline: children must not be sent "
               "away to work."),
            _l("Make sure the family keeps copies of the papers and the phone number of the workplace."),
            _l("Agree a day to phone home, and what the family does if no call comes."),
        ),
        do_not=(
            _l("Do not let a child leave with an agent or anyone the family does not know well."),
            _l("Do not let the agent keep the identity card, passport or other papers."),
            _l("Do not take a loan or an advance from the agent."),
        ),
        refer_to=(
            _l("Anti-trafficking unit and police: a suspicious agent, or a child being taken."),
            _l("Child helpline: a child leaving, or stranded far from home."),
            _l("Legal services authority: advice on contracts, wages and debts."),
            _l("Village council and NGO: local work, schemes and advice on migrating safely."),
        ),
    ),
    "substance_abuse": dict(
        who_to_call=(
            _l("The health centre, or a counselling and de-addiction service."),
            _l("The child helpline, if the child is in danger or made to carry or sell drugs."),
            _l("The police, about adults who sell alcohol, tobacco or drugs to children."),
        ),
        first_steps=(
            _l("If the child is unconscious, very drowsy or breathing badly, take them to the health centre at "
               "once."),
            _l("Talk with the child calmly and in private; ask what is going on in their life, not only what "
               "they took."),
            _l("Involve the parents or a trusted adult, and agree to see a health worker together."),
            _l("Keep the child in school and in group activities: friends and routine help."),
        ),
        do_not=(
            _l("Do not punish, beat or lock up the child: this is a health problem."),
            _l("Do not shame the child in public or put them out of groups."),
            _l("Do not hand the child to the police for using drugs: help comes from health services."),
        ),
        refer_to=(
            _l("Health: treatment and counselling."),
            _l("NGO: de-addiction and support for the family."),
            _l("Police: adults who sell or give drugs or alcohol to children."),
            _l("School: support to stay in school."),
        ),
    ),
    "other": dict(
        who_to_call=(
            _l("The child helpline, if the child is in danger now."),
            _l("A case worker of this hub."),
        ),
        first_steps=(
            _l("Make sure the child is safe now; if not, call the child helpline or the police."),
            _l("Listen to the child calmly, and write down what you saw and heard."),
            _l("Tell a case worker, who will assess it and decide what to do."),
        ),
        do_not=(
            _l("Do not investigate or confront anyone yourself."),
            _l("Do not promise the child to keep it secret: say you will tell only people who can help."),
            _l("Do not share the child's name, photo or story with anyone who does not need it."),
        ),
        refer_to=(
            _l("The service that fits the problem, from the services directory."),
            _l("District child protection unit or municipal child defence office, when you are not sure."),
        ),
    ),
}
