/**
 * The pathway catalogue: every pathway kind is data. The workflow is generic over it and receives
 * its entry as input, so editing the catalogue never changes a pathway already running.
 */
import type { Locale } from './calendar';
export type { Locale };
export type Text = { it: string; en: string };
export type ActorRole = 'consultant' | 'sme' | 'coordinator' | 'admin';

export interface EvidenceRequirement {
  /** What kind of proof a consultant must attach when completing the step. */
  kind: 'document-ref' | 'signed-agreement' | 'attendance-register' | 'report';
  label: Text;
}

export interface StepDefinition {
  key: string;
  name: Text;
  /** Roles allowed to complete the step. */
  completedBy: ActorRole[];
  /** Working days (Europe/Rome) from the start of the step to its due date. */
  durationWorkingDays: number;
  /**
   * Optional: the step is due this many working days before the programme's hard end instead
   * (e.g. a final report). The earlier of the two dates applies.
   */
  dueWorkingDaysBeforeProgrammeEnd?: number;
  evidence?: EvidenceRequirement;
  /** Why the step exists or is shaped this way, where the programme documents are silent. */
  rationale?: string;
}

export interface ReminderPolicy {
  /** Reminders to participants this many working days before the due date. */
  beforeDueWorkingDays: number[];
  /** A reminder on the morning of the due day. */
  onDueDay: boolean;
  /** Overdue notice to the SME this many working days after the due date. */
  overdueAfterWorkingDays: number;
  /** Escalation to the consultant this many working days after the due date. */
  escalateAfterWorkingDays: number;
}

export type Sector = 'commercio' | 'artigianato' | 'industria' | 'servizi' | 'agricoltura' | 'terzo-settore';
export const SECTORS: readonly Sector[] = [
  'commercio',
  'artigianato',
  'industria',
  'servizi',
  'agricoltura',
  'terzo-settore',
];

/** Who may enroll in a pathway kind, beyond the programme-wide rules (territory, window). */
export interface EligibilityRules {
  /** SME sizes (EU recommendation 2003/361) admitted. */
  sizes: ('micro' | 'small' | 'medium')[];
  /** Admitted sectors; absent means every sector. */
  sectors?: Sector[];
  /**
   * At most this many people employed (time saving's "massimo tre occupati"): compared with the people
   * the firm employs (`peopleEmployed`, a headcount), not with its annual work units.
   */
  maxStaff?: number;
  /**
   * The panel names no size for this action: any firm may enroll, large ones too (the figures are still
   * declared and recorded). `sizes` then only says which SME sizes are named.
   */
  anySize?: boolean;
  /** Public or private care companies ("aziende di cura") are admitted whatever their size (actions 2 and 3). */
  careCompanies?: boolean;
  /** Who the action is for, beyond the firm's figures: checked by the consultant, stated in the reasons. */
  audience?: 'women-excluded-from-labour-market';
  /** Whether a business network ("rete di imprese") may enroll as one party. */
  networks: boolean;
  /** The party may be a project not yet registered (no VAT number), identified by a codice fiscale. */
  allowsUnregistered?: boolean;
  /** Why these rules, in words a coordinator can repeat. */
  note?: Text;
}

export interface PathwayDefinition {
  kind: string;
  /** Bumped on every edit of the entry; enrollments keep the version they started with. */
  version: number;
  /** Number of the fundable action in the 2017-2018 panel ("azioni finanziabili rivolte alle imprese"). */
  action: number;
  name: Text;
  description: Text;
  steps: StepDefinition[];
  reminders: ReminderPolicy;
  /** Absent in entries recorded before eligibility became data (v1 histories): treat as any SME. */
  eligibility?: EligibilityRules;
}

const standardReminders: ReminderPolicy = {
  beforeDueWorkingDays: [5, 1],
  onDueDay: true,
  overdueAfterWorkingDays: 1,
  escalateAfterWorkingDays: 3,
};

export const congedoFlessibilita: PathwayDefinition = {
  kind: 'congedo-flessibilita',
  version: 1,
  action: 3,
  name: { it: 'Piani di congedo e flessibilità', en: 'Leave and flexibility plans' },
  description: {
    it: "Accompagnamento alla costruzione di piani di congedo e di flessibilità aziendale e all'adozione di misure di lavoro flessibile.",
    en: 'Support to build leave plans and company flexibility plans, and to adopt flexible work measures.',
  },
  reminders: standardReminders,
  steps: [
    {
      key: 'intake',
      name: { it: 'Colloquio di avvio', en: 'Intake meeting' },
      completedBy: ['consultant'],
      durationWorkingDays: 10,
      rationale: 'A first meeting with owner and HR contact sets goals and names the participants.',
    },
    {
      key: 'needs-analysis',
      name: { it: 'Analisi dei bisogni di conciliazione', en: 'Work-life balance needs analysis' },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'report',
        label: { it: "Riferimento al rapporto d'analisi", en: 'Reference to the analysis report' },
      },
      rationale: 'An employee survey and interviews come before any plan: the plan must answer real needs.',
    },
    {
      key: 'training',
      name: { it: 'Formazione su congedi e flessibilità', en: 'Training on leave and flexibility' },
      completedBy: ['consultant'],
      durationWorkingDays: 20,
      evidence: { kind: 'attendance-register', label: { it: 'Registro presenze', en: 'Attendance register' } },
    },
    {
      key: 'plan-drafted',
      name: { it: 'Piano di congedo e flessibilità redatto', en: 'Leave and flexibility plan drafted' },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'document-ref',
        label: { it: 'Riferimento al documento del piano', en: 'Plan document reference' },
      },
    },
    {
      key: 'plan-adopted',
      name: { it: "Piano adottato dall'impresa", en: 'Plan adopted by the company' },
      completedBy: ['consultant', 'sme'],
      durationWorkingDays: 10,
      evidence: { kind: 'signed-agreement', label: { it: 'Piano firmato', en: 'Signed plan' } },
      rationale: 'The owner signs the plan; the consultant may record it on the SME’s behalf.',
    },
  ],
};

// A second reminder two weeks ahead: on steps of 25-50 working days (business plan, pilot, joint
// activities, mentoring) a notice five days before the due date is too late to book a session.
const longStepReminders: ReminderPolicy = {
  beforeDueWorkingDays: [10, 5, 1],
  onDueDay: true,
  overdueAfterWorkingDays: 1,
  escalateAfterWorkingDays: 3,
};

// Firms of at most three people: the owner is serving customers all day, so a single advance
// reminder and a slower escalation keep the pathway from reading as pressure.
const microFirmReminders: ReminderPolicy = {
  beforeDueWorkingDays: [3],
  onDueDay: true,
  overdueAfterWorkingDays: 2,
  escalateAfterWorkingDays: 5,
};

export const defiscalizzazione: PathwayDefinition = {
  kind: 'defiscalizzazione',
  version: 1,
  action: 1,
  name: { it: 'Defiscalizzazione del welfare aziendale', en: 'Tax relief for company welfare' },
  description: {
    it: "Accompagnamento e formazione di micro, piccole e medie imprese e reti di imprese per l'utilizzo del regime di defiscalizzazione del welfare aziendale.",
    en: 'Accompaniment and training for micro, small and medium enterprises and business networks so they can use the tax-relief regime for company welfare.',
  },
  reminders: standardReminders,
  eligibility: {
    sizes: ['micro', 'small', 'medium'],
    networks: true,
    note: {
      it: "Micro, piccole e medie imprese e reti di imprese, come prevede l'azione 1: una rete può adottare un piano di welfare comune.",
      en: 'Micro, small and medium enterprises and business networks, as action 1 provides: a network may adopt a shared welfare plan.',
    },
  },
  steps: [
    {
      key: 'intake',
      name: { it: 'Colloquio di avvio', en: 'Intake meeting' },
      completedBy: ['consultant'],
      durationWorkingDays: 10,
      rationale:
        'Owner, HR contact and, where there is one, the payroll consultant or accountant meet first: the tax treatment of welfare runs through payroll.',
    },
    {
      key: 'welfare-needs-survey',
      name: { it: 'Rilevazione dei bisogni di welfare', en: 'Welfare needs survey' },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'report',
        label: { it: 'Riferimento al rapporto di rilevazione', en: 'Reference to the survey report' },
      },
      rationale:
        'A questionnaire to all employees before the plan: a welfare basket nobody uses gives the tax relief no purpose.',
    },
    {
      key: 'fiscal-training',
      name: {
        it: 'Formazione sul quadro fiscale del welfare aziendale (artt. 51 e 100 TUIR, regole del piano di welfare)',
        en: 'Training on the fiscal framework of company welfare (TUIR arts. 51 and 100, welfare plan rules)',
      },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: { kind: 'attendance-register', label: { it: 'Registro presenze', en: 'Attendance register' } },
      rationale:
        'Two or three sessions for owner, HR and payroll: which goods and services are exempt for the employee (art. 51) and deductible for the company (art. 100), offered to all staff or to categories of staff.',
    },
    {
      key: 'welfare-plan-drafted',
      name: { it: 'Piano di welfare aziendale redatto', en: 'Company welfare plan drafted' },
      completedBy: ['consultant'],
      durationWorkingDays: 20,
      evidence: {
        kind: 'document-ref',
        label: { it: 'Riferimento al documento del piano di welfare', en: 'Welfare plan document reference' },
      },
      rationale:
        'The longest step: the plan must fit the survey results, the budget and the payroll, and the accountant reviews it before adoption.',
    },
    {
      key: 'welfare-plan-adopted',
      name: {
        it: 'Regolamento aziendale o accordo di welfare adottato',
        en: 'Company welfare regulation or agreement adopted',
      },
      completedBy: ['consultant', 'sme'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'signed-agreement',
        label: { it: 'Regolamento o accordo firmato', en: 'Signed regulation or agreement' },
      },
      rationale:
        'A written act that binds the company (a regulation adopted by the owner, or an agreement with the unions) makes the welfare costs deductible in full, not only within the cap art. 100 sets for voluntary spending. The act is signed; the consultant may record it on the SME’s behalf.',
    },
  ],
};

export const contrattazioneSecondoLivello: PathwayDefinition = {
  kind: 'contrattazione-secondo-livello',
  version: 1,
  action: 2,
  name: { it: 'Contrattazione di secondo livello', en: 'Second-level bargaining' },
  description: {
    it: 'Supporto a PMI, reti di imprese e aziende pubbliche o private di servizi alla persona per sviluppare la contrattazione territoriale e gli accordi aziendali di secondo livello.',
    en: 'Support for SMEs, business networks and public or private care companies to develop territorial bargaining and second-level company agreements.',
  },
  reminders: standardReminders,
  eligibility: {
    sizes: ['micro', 'small', 'medium'],
    networks: true,
    careCompanies: true,
    note: {
      it: "PMI, reti di imprese e aziende pubbliche o private di servizi alla persona, come prevede l'azione 2; una rete può negoziare un accordo territoriale per tutte le imprese aderenti.",
      en: 'SMEs, business networks and public or private care companies, as action 2 provides; a network may negotiate one territorial agreement for all its members.',
    },
  },
  steps: [
    {
      key: 'intake',
      name: { it: 'Colloquio di avvio', en: 'Intake meeting' },
      completedBy: ['consultant'],
      durationWorkingDays: 10,
      rationale:
        'Sets goals with the owner and finds out who represents the workers (company union representatives or the territorial unions) before anything is proposed.',
    },
    {
      key: 'organisational-analysis',
      name: {
        it: 'Analisi organizzativa e dei bisogni di conciliazione',
        en: 'Organisational and work-life balance needs analysis',
      },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'report',
        label: { it: "Riferimento al rapporto d'analisi", en: 'Reference to the analysis report' },
      },
      rationale:
        'Shifts, hours, absences and employee needs give the negotiation facts both sides accept, so the table discusses measures and not the diagnosis.',
    },
    {
      key: 'bargaining-training',
      name: {
        it: 'Formazione sulla contrattazione di secondo livello e sul welfare contrattuale',
        en: 'Training on second-level bargaining and negotiated welfare',
      },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: { kind: 'attendance-register', label: { it: 'Registro presenze', en: 'Attendance register' } },
      rationale:
        'Company side first, worker representatives invited where they agree: an owner new to bargaining needs the options (flexible hours, leave, welfare, performance bonus) before sitting at the table.',
    },
    {
      key: 'negotiation-table',
      name: { it: 'Tavolo negoziale con le organizzazioni sindacali', en: 'Negotiation table with the unions' },
      completedBy: ['consultant'],
      durationWorkingDays: 30,
      evidence: {
        kind: 'document-ref',
        label: { it: 'Riferimento ai verbali degli incontri', en: 'Reference to the meeting minutes' },
      },
      rationale:
        'Planned for three or four meetings: the pace depends on the unions’ calendar as much as the company’s, hence the longest step.',
    },
    {
      key: 'agreement-signed',
      name: { it: 'Accordo di secondo livello sottoscritto', en: 'Second-level agreement signed' },
      completedBy: ['consultant', 'sme'],
      durationWorkingDays: 15,
      evidence: { kind: 'signed-agreement', label: { it: 'Accordo sottoscritto', en: 'Signed agreement' } },
      rationale:
        'The parties sign; the consultant may record it on the SME’s behalf. Filing the agreement with the labour administration, on which the related tax and contribution reliefs depend, is the parties’ act and is not waited for here.',
    },
  ],
};

export const congedoFlessibilitaV2: PathwayDefinition = {
  ...congedoFlessibilita,
  version: 2,
  // Same steps by construction: v2 only makes eligibility explicit, so both versions run alike.
  steps: congedoFlessibilita.steps,
  eligibility: {
    sizes: ['micro', 'small', 'medium'],
    networks: true,
    careCompanies: true,
    note: {
      it: "PMI, reti di imprese e aziende di cura pubbliche o private di ogni dimensione, come prevede l'azione 3 insieme all'azione 2.",
      en: 'SMEs, business networks and public or private care companies of any size, as action 3 provides together with action 2.',
    },
  },
};

export const lavoroFlessibile: PathwayDefinition = {
  kind: 'lavoro-flessibile',
  version: 1,
  action: 4,
  name: { it: 'Lavoro flessibile e spazi condivisi', en: 'Flexible work and shared workspaces' },
  description: {
    it: "Accompagnamento all'adozione di modalità di lavoro flessibile e di spazi di lavoro condivisi: lavoro agile (smart working), coworking, telelavoro.",
    en: 'Support to adopt flexible ways of working and shared workspaces: smart working, co-working, telework.',
  },
  reminders: longStepReminders,
  eligibility: {
    sizes: ['micro', 'small', 'medium'],
    networks: true,
    anySize: true,
    note: {
      it: "Imprese di ogni dimensione e reti di imprese: l'azione 4 non pone limiti di dimensione; le reti possono condividere uno spazio di coworking.",
      en: 'Firms of any size and business networks: action 4 sets no size limit; networks may share a co-working space.',
    },
  },
  steps: [
    {
      key: 'readiness-assessment',
      name: {
        it: 'Analisi di fattibilità: attività, strumenti e sicurezza',
        en: 'Readiness assessment: tasks, tools and safety',
      },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'report',
        label: { it: "Riferimento al rapporto d'analisi", en: 'Reference to the assessment report' },
      },
      rationale:
        'Opens with the intake meeting, then maps which tasks can be done remotely, the IT equipment and data protection, and the health and safety duties of work done away from the premises.',
    },
    {
      key: 'pilot-design',
      name: { it: 'Progetto della sperimentazione', en: 'Pilot design' },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'document-ref',
        label: { it: 'Riferimento al progetto di sperimentazione', en: 'Pilot design document reference' },
      },
      rationale:
        'A pilot on a few volunteers and roles before any company-wide rule: who, how many days a week, where (home, co-working), how results are measured.',
    },
    {
      key: 'training',
      name: {
        it: 'Formazione per lavoratori e responsabili sul lavoro flessibile',
        en: 'Training for staff and managers on flexible work',
      },
      completedBy: ['consultant'],
      durationWorkingDays: 10,
      evidence: { kind: 'attendance-register', label: { it: 'Registro presenze', en: 'Attendance register' } },
      rationale:
        'Before the pilot starts: managers learn to lead by objectives, staff learn the tools and the safety information that applies away from the premises.',
    },
    {
      key: 'pilot-run',
      name: { it: 'Sperimentazione svolta', en: 'Pilot run' },
      completedBy: ['consultant'],
      durationWorkingDays: 40,
      evidence: {
        kind: 'report',
        label: { it: 'Riferimento al rapporto sulla sperimentazione', en: 'Reference to the pilot report' },
      },
      rationale:
        'About two months, so the pilot covers ordinary weeks and a month-end close; the report compares the results with the measures set in the design.',
    },
    {
      key: 'regulation-adopted',
      name: {
        it: 'Regolamento interno sul lavoro flessibile adottato',
        en: 'Internal flexible work regulation adopted',
      },
      completedBy: ['consultant', 'sme'],
      durationWorkingDays: 15,
      evidence: { kind: 'signed-agreement', label: { it: 'Regolamento firmato', en: 'Signed regulation' } },
      rationale:
        'The owner signs the regulation that turns the pilot into company practice; individual smart working agreements follow it and are the company’s own act. The consultant may record the signature on the SME’s behalf.',
    },
  ],
};

export const timeSaving: PathwayDefinition = {
  kind: 'time-saving',
  version: 1,
  action: 5,
  name: { it: 'Servizi salvatempo (time saving)', en: 'Time-saving services' },
  description: {
    it: "Servizi salvatempo per titolari o dipendenti di imprese commerciali o artigiane con al massimo tre persone occupate, per esigenze non legate alla gestione dell'impresa.",
    en: 'Time-saving services for owners or employees of commercial or craft firms with at most three people employed, for needs not related to running the firm.',
  },
  reminders: microFirmReminders,
  eligibility: {
    sizes: ['micro'],
    sectors: ['commercio', 'artigianato'],
    maxStaff: 3,
    networks: false,
    note: {
      it: "Solo imprese commerciali o artigiane (iscritte all'Albo delle imprese artigiane, di qualunque settore) con al massimo tre persone occupate, come prevede l'azione 5; le reti non sono ammesse perché il servizio va alle persone della singola impresa.",
      en: 'Only commercial or craft firms (registered in the Albo delle imprese artigiane, in any sector) with at most three people employed, as action 5 provides; networks are not admitted because the service goes to the people of a single firm.',
    },
  },
  steps: [
    {
      key: 'intake',
      name: { it: 'Colloquio di avvio', en: 'Intake meeting' },
      completedBy: ['consultant'],
      durationWorkingDays: 5,
      rationale:
        'One meeting with the owner, usually at the shop or workshop: a firm of three people has no HR contact to involve.',
    },
    {
      key: 'needs-mapping',
      name: { it: 'Mappatura dei bisogni di tempo', en: 'Time needs mapping' },
      completedBy: ['consultant'],
      durationWorkingDays: 10,
      evidence: {
        kind: 'report',
        label: { it: 'Riferimento alla scheda dei bisogni', en: 'Reference to the needs sheet' },
      },
      rationale:
        'Records family and personal needs only (errands, paperwork, care of children or relatives): action 5 excludes needs related to running the firm, and the sheet shows the line was kept.',
    },
    {
      key: 'service-activation',
      name: { it: 'Attivazione del servizio salvatempo', en: 'Time-saving service activated' },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'document-ref',
        label: {
          it: 'Riferimento al voucher o al contratto di servizio',
          en: 'Voucher or service contract reference',
        },
      },
      rationale:
        'Choosing a provider in the territorial network and issuing the voucher or contract takes about three weeks.',
    },
    {
      key: 'usage-check',
      name: { it: "Verifica dell'utilizzo del servizio", en: 'Service use check' },
      completedBy: ['consultant', 'sme'],
      durationWorkingDays: 30,
      evidence: {
        kind: 'report',
        label: { it: 'Riferimento alla scheda di verifica', en: 'Reference to the use check sheet' },
      },
      rationale:
        'After about six weeks of use, so the check is about real use and not activation alone. The owner may confirm it directly: in a firm this small there is nobody else to ask.',
    },
  ],
};

export const sinergieReti: PathwayDefinition = {
  kind: 'sinergie-reti',
  version: 1,
  action: 6,
  name: { it: 'Sinergie con altre reti regionali', en: 'Synergies with other regional networks' },
  description: {
    it: 'Azioni realizzate insieme ad altre reti regionali, come la rete WHP (Workplace Health Promotion, luoghi di lavoro che promuovono salute).',
    en: 'Actions carried out together with other regional networks, such as the WHP network (Workplace Health Promotion).',
  },
  reminders: longStepReminders,
  eligibility: {
    sizes: ['micro', 'small', 'medium'],
    networks: true,
    anySize: true,
    note: {
      it: "Imprese di ogni dimensione e reti di imprese: l'azione 6 non pone limiti di dimensione o settore.",
      en: 'Firms of any size and business networks: action 6 sets no limit of size or sector.',
    },
  },
  steps: [
    {
      key: 'intake',
      name: { it: 'Colloquio di avvio', en: 'Intake meeting' },
      completedBy: ['consultant'],
      durationWorkingDays: 10,
      rationale:
        'Checks whether the company already belongs to the WHP network or another regional network, so the pathway builds on what it already does.',
    },
    {
      key: 'joint-plan',
      name: { it: 'Piano congiunto con la rete WHP', en: 'Joint plan with the WHP network' },
      completedBy: ['consultant'],
      durationWorkingDays: 20,
      evidence: {
        kind: 'document-ref',
        label: { it: 'Riferimento al piano congiunto', en: 'Joint plan document reference' },
      },
      rationale:
        'One plan agreed with the ATS contact of the other network, so the company runs one set of activities and not two parallel programmes.',
    },
    {
      key: 'joint-activities',
      name: { it: 'Attività congiunte svolte', en: 'Joint activities carried out' },
      completedBy: ['consultant'],
      durationWorkingDays: 50,
      evidence: { kind: 'attendance-register', label: { it: 'Registro presenze', en: 'Attendance register' } },
      rationale:
        'About ten weeks: sessions for staff follow the company’s calendar and the other network’s, and must not fall in peak season.',
    },
    {
      key: 'final-report',
      name: { it: 'Relazione finale', en: 'Final report' },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      dueWorkingDaysBeforeProgrammeEnd: 10,
      evidence: { kind: 'report', label: { it: 'Riferimento alla relazione finale', en: 'Final report reference' } },
      rationale:
        'Due at the latest ten working days before the programme ends, so the territorial network can include it in its own report to the Region.',
    },
  ],
};

export const autoimprenditorialitaFemminile: PathwayDefinition = {
  kind: 'autoimprenditorialita-femminile',
  version: 1,
  action: 7,
  name: { it: 'Autoimprenditorialità femminile', en: "Women's self-employment" },
  description: {
    it: "Sostegno all'avvio di progetti di autoimprenditorialità di donne escluse dal mercato del lavoro, nell'ambito dei servizi di conciliazione vita-lavoro.",
    en: 'Support to start self-employment projects by women excluded from the labour market, in the field of work-life balance services.',
  },
  reminders: longStepReminders,
  eligibility: {
    sizes: ['micro'],
    networks: false,
    allowsUnregistered: true,
    audience: 'women-excluded-from-labour-market',
    note: {
      it: "Progetti di donne escluse dal mercato del lavoro, anche prima dell'apertura della partita IVA (identificati dal codice fiscale); l'esclusione dal mercato del lavoro e l'ambito dei servizi di conciliazione sono verificati dal consulente all'orientamento.",
      en: 'Projects by women excluded from the labour market, even before a VAT number is opened (identified by the codice fiscale); the consultant checks the exclusion from the labour market and the work-life balance field at orientation.',
    },
  },
  steps: [
    {
      key: 'orientation',
      name: { it: 'Orientamento e bilancio delle competenze', en: 'Orientation and skills assessment' },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'attendance-register',
        label: { it: 'Registro degli incontri di orientamento', en: 'Orientation meetings register' },
      },
      rationale:
        'Individual meetings first: they confirm the woman is outside the labour market and that self-employment, rather than a job search, suits her.',
    },
    {
      key: 'business-idea',
      name: { it: "Definizione dell'idea imprenditoriale", en: 'Business idea defined' },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'document-ref',
        label: { it: "Riferimento alla scheda dell'idea imprenditoriale", en: 'Business idea sheet reference' },
      },
      rationale:
        'The idea must be a work-life balance service (childcare, care of frail relatives, time saving for families): checked here, before effort goes into a plan.',
    },
    {
      key: 'business-plan',
      name: { it: 'Business plan', en: 'Business plan' },
      completedBy: ['consultant'],
      durationWorkingDays: 25,
      evidence: {
        kind: 'document-ref',
        label: { it: 'Riferimento al documento del business plan', en: 'Business plan document reference' },
      },
      rationale:
        'Market, prices, start-up costs and the legal form (sole trader, partnership, social cooperative), with the first-year cash flow.',
    },
    {
      key: 'mentoring',
      name: { it: 'Affiancamento (mentoring)', en: 'Mentoring' },
      completedBy: ['consultant'],
      durationWorkingDays: 30,
      evidence: {
        kind: 'attendance-register',
        label: { it: 'Registro degli incontri di mentoring', en: 'Mentoring meetings register' },
      },
      rationale:
        'Meetings with an experienced entrepreneur or the consultant on the practical start: licences, first customers, pricing, family time.',
    },
    {
      key: 'start-up',
      name: { it: "Avvio dell'attività", en: 'Business started' },
      completedBy: ['consultant', 'sme'],
      durationWorkingDays: 20,
      evidence: {
        kind: 'document-ref',
        label: {
          it: "Riferimento d'iscrizione al Registro delle imprese o partita IVA",
          en: 'Business register entry or VAT number reference',
        },
      },
      rationale:
        'Completed when the VAT number is opened or the business is registered; the new entrepreneur may record it herself, or the consultant on her behalf.',
    },
  ],
};

/**
 * Every version ever published, in action order. A published version is never edited or removed:
 * pathways that started on it keep it (the enrollment row stores `catalogueVersion`), so a change
 * is a new entry with the next version number. Validated by catalogue-validate.ts.
 */
export const CATALOGUE_VERSIONS: readonly PathwayDefinition[] = [
  defiscalizzazione,
  contrattazioneSecondoLivello,
  congedoFlessibilita,
  congedoFlessibilitaV2,
  lavoroFlessibile,
  timeSaving,
  sinergieReti,
  autoimprenditorialitaFemminile,
];

function latestPerKind(versions: readonly PathwayDefinition[]): Record<string, PathwayDefinition> {
  const latest: Record<string, PathwayDefinition> = {};
  for (const d of versions) {
    const current = Object.prototype.hasOwnProperty.call(latest, d.kind) ? latest[d.kind] : undefined;
    if (!current || d.version > current.version) latest[d.kind] = d;
  }
  return latest;
}

/**
 * The current catalogue: one entry per kind, at its latest version. Derived from
 * CATALOGUE_VERSIONS so that publishing a version is a single edit and the two cannot disagree.
 */
export const CATALOGUE: Readonly<Record<string, PathwayDefinition>> = latestPerKind(CATALOGUE_VERSIONS);

export function findPathway(kind: string): PathwayDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(CATALOGUE, kind) ? CATALOGUE[kind] : undefined;
}
