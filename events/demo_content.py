"""Text for the demo conference built by `manage.py seed_demo`."""

PROVIDER = {
    "name": "Northeast Institute for Clinical Education",
    "slug": "neice",
    "description": "A non-profit CE provider for psychologists, counselors, social workers and "
    "marriage and family therapists since 1998.",
    "website": "https://example.org/neice",
    "contact_email": "ce@neice.example.org",
}

ACCREDITATIONS = [
    ("apa", "", "",
     "Northeast Institute for Clinical Education is approved by the American Psychological "
     "Association to sponsor continuing education for psychologists. Northeast Institute for "
     "Clinical Education maintains responsibility for this program and its content."),
    ("nbcc", "", "7021",
     "Northeast Institute for Clinical Education has been approved by NBCC as an Approved "
     "Continuing Education Provider, ACEP No. 7021. Programs that do not qualify for NBCC credit "
     "are clearly identified. Northeast Institute for Clinical Education is solely responsible "
     "for all aspects of the programs."),
    ("aswb", "", "1784",
     "Northeast Institute for Clinical Education, #1784, is approved to offer social work "
     "continuing education by the Association of Social Work Boards (ASWB) Approved Continuing "
     "Education (ACE) program."),
]  # fmt: skip

EVENT = {
    "title": "Integrative Mental Health Practice Conference 2027",
    "slug": "imhp-2027",
    "summary": "Three days of evidence-based workshops for clinicians: trauma, crisis, "
    "clinical skills, ethics and law. Up to 19.5 CE hours.",
    "description": "Join 600 psychologists, counselors, social workers and therapists in Boston "
    "for three days of skills-focused sessions led by practising clinicians and researchers.\n\n"
    "Every session lists its learning objectives, instructional level and CE hours. Attendance "
    "is verified by badge scans at the door of each session.",
    "venue_name": "Hynes Convention Center",
    "venue_address": "900 Boylston Street, Boston, MA 02115",
    "target_audience": "Psychologists, licensed professional and mental health counselors, "
    "clinical social workers, marriage and family therapists, and supervised trainees.",
    "refund_policy": "Full refund, less a $25 processing fee, for cancellations received 14 days "
    "or more before the conference. No refunds after that; registrations may be transferred to "
    "a colleague at no charge.",
    "grievance_policy": "Concerns about a session or the conference may be sent in writing to "
    "ce@neice.example.org. The CE committee responds within 15 business days.",
    "accessibility_statement": "The venue is fully accessible. To request an accommodation "
    "(ASL interpretation, captioning, seating), write to access@neice.example.org at least "
    "10 days before the conference.",
}

TRACKS = ["Clinical Skills", "Trauma & Crisis", "Ethics, Law & Practice"]
ROOMS = [("Ballroom A", 600), ("Room 201", 120), ("Room 202", 120), ("Room 204", 80),
         ("Workshop Room 310", 40)]  # fmt: skip

PRESENTERS = [
    ("Dr. Alicia Moreno", "PhD, ABPP", "Professor of Psychiatry, Tufts School of Medicine"),
    ("Marcus Chen", "LCSW-C", "Director of Trauma Services, Baltimore Family Center"),
    ("Dr. Priya Natarajan", "PsyD", "Clinical Director, Harbor Adolescent Program"),
    ("Rebecca Goldstein", "LMFT", "Private practice, Providence"),
    ("Dr. James Okafor", "PhD", "Associate Professor, Boston University"),
    ("Sofia Alvarez", "LMHC, NCC", "Bilingual counselor, Lawrence Community Health"),
    ("Dr. Thomas Whitfield", "MD", "Addiction psychiatrist, Massachusetts General Hospital"),
    ("Hannah Kim", "LPC, ACS", "Clinical supervisor, Hartford Counseling Collaborative"),
    ("Dr. Naomi Feldman", "PhD", "Research psychologist, VA Boston Healthcare System"),
    ("Darnell Washington", "LICSW", "Crisis team lead, Springfield Mobile Crisis"),
    ("Dr. Elena Petrova", "PsyD", "EMDRIA-approved consultant"),
    ("Grace O'Connell", "JD, LCSW", "Ethics consultant and attorney"),
    ("Dr. Samuel Adeyemi", "PhD, LP", "Director, Center for Cultural Psychology"),
    ("Laura Bennett", "LMHC, RPT-S", "Registered play therapist supervisor"),
    ("Dr. Rachel Stein", "PhD", "Eating disorders program, Cambridge Health Alliance"),
]  # fmt: skip

# (title, level, subject area, presenter indexes, learning objectives)
KEYNOTES = [
    ("The State of Evidence-Based Practice in Community Mental Health", "intermediate", "general",
     [0], ["Summarize recent effectiveness research for community settings",
           "Identify two barriers to implementing evidence-based treatments",
           "Describe one strategy to adapt a protocol without losing fidelity"]),
    ("Burnout, Moral Injury and Sustaining a Clinical Career", "introductory", "general", [8],
     ["Distinguish burnout from moral injury",
      "Apply a brief self-assessment of occupational stress",
      "Plan two organizational supports that reduce clinician turnover"]),
    ("Telehealth After the Pandemic: What the Outcomes Data Show", "intermediate", "telehealth",
     [4], ["Compare outcomes of video and in-person psychotherapy",
           "Identify client groups for whom telehealth needs adaptation",
           "Describe consent elements specific to telehealth"]),
]  # fmt: skip

TRACK_SESSIONS = {
    "Clinical Skills": [
        ("Trauma-Focused CBT for Adolescents", "intermediate", "general", [2]),
        ("DBT Skills Groups in Outpatient Settings", "intermediate", "general", [2]),
        ("Motivational Interviewing: Beyond the Basics", "advanced", "substance_use", [6]),
        ("Acceptance and Commitment Therapy for Chronic Pain", "intermediate", "general", [4]),
        ("Treating Perinatal Depression and Anxiety", "intermediate", "general", [3]),
        ("Exposure and Response Prevention for OCD", "advanced", "general", [0]),
        ("Family-Based Treatment for Adolescent Eating Disorders", "advanced", "general", [14]),
        ("Mindfulness-Based Cognitive Therapy for Recurrent Depression", "introductory",
         "general", [8]),
        ("Play Therapy Techniques for Young Children After Loss", "introductory", "general", [13]),
    ],
    "Trauma & Crisis": [
        ("Suicide Risk Assessment and Safety Planning", "intermediate", "suicide", [9]),
        ("EMDR: Adapting the Standard Protocol for Complex Trauma", "advanced", "general", [10]),
        ("Intimate Partner Violence: Screening and Safety in Practice", "introductory",
         "domestic_violence", [1]),
        ("Prolonged Grief Disorder: Assessment and Treatment", "intermediate", "general", [3]),
        ("Crisis Intervention with First Responders", "intermediate", "general", [9]),
        ("Trauma-Informed Care in Schools", "introductory", "general", [13]),
        ("Treating Co-Occurring PTSD and Substance Use", "advanced", "substance_use", [6, 1]),
        ("Working with Refugees and Survivors of Torture", "intermediate", "cultural", [12]),
        ("Secondary Traumatic Stress in Clinicians", "introductory", "general", [1]),
    ],
    "Ethics, Law & Practice": [
        ("Ethics in Telehealth Across State Lines", "intermediate", "law_ethics", [11]),
        ("Clinical Supervision: Competency-Based Models", "intermediate", "supervision", [7]),
        ("Cultural Humility in the Therapy Room", "introductory", "cultural", [12, 5]),
        ("Documentation and Risk Management for Private Practice", "introductory", "law_ethics",
         [11]),
        ("Boundaries and Dual Relationships in Small Communities", "intermediate", "law_ethics",
         [7]),
        ("LGBTQ+ Affirming Care: Clinical and Ethical Considerations", "intermediate",
         "cultural", [5]),
        ("Duty to Warn and Protect: State Laws Compared", "advanced", "law_ethics", [11]),
        ("Preventing Medical Errors in Behavioral Health", "introductory", "medical_errors", [0]),
        ("HIV/AIDS: Updates for Mental Health Clinicians", "introductory", "hiv", [6]),
    ],
}  # fmt: skip

OBJECTIVE_TEMPLATES = [
    "Describe the core components of {topic}",
    "Apply {topic} to a case example from your own practice",
    "Identify contraindications and ethical considerations in {topic}",
]

FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Mateo", "Isabella", "Lucas",
    "Mia", "Ethan", "Amelia", "Aiden", "Harper", "Daniel", "Evelyn", "Samuel", "Abigail", "Leo",
    "Emily", "Owen", "Ella", "Jackson", "Aaliyah", "Wei", "Fatima", "Kwame", "Yuki", "Ananya",
]  # fmt: skip
LAST_NAMES = [
    "Johnson", "Nguyen", "Patel", "Garcia", "Williams", "Brown", "Rodriguez", "Kim", "Martinez",
    "Davis", "Lopez", "Wilson", "Anderson", "Thomas", "Jackson", "Lee", "Harris", "Clark",
    "Lewis", "Walker", "Hall", "Young", "Allen", "Wright", "Scott", "Green", "Baker", "Adams",
]  # fmt: skip

# (profession, credentials, license type, CE Broker code)
PROFESSIONS = [
    ("psychologist", "PhD", "Psychologist", "PY"),
    ("psychologist", "PsyD", "Psychologist", "PY"),
    ("counselor", "LPC", "LPC", "MH"),
    ("counselor", "LMHC", "LMHC", "MH"),
    ("social_worker", "LCSW", "LCSW", "SW"),
    ("social_worker", "LICSW", "LICSW", "SW"),
    ("mft", "LMFT", "LMFT", "MFT"),
    ("addiction", "LADC", "LADC", ""),
    ("student", "MSW student", "", ""),
]  # fmt: skip
STATES = ["MA", "NY", "CT", "RI", "NH", "FL", "NJ", "PA", "ME", "VT"]
EMPLOYERS = [
    "Private practice", "Boston Medical Center", "Riverside Community Care", "Brookline Schools",
    "VA Boston", "Cambridge Health Alliance", "Family Service Association", "Tufts University",
]  # fmt: skip
