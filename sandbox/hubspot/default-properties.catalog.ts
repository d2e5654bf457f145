import type { CrmObjectType } from './hubspot.types';

export type PropertyDataType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number';

export interface PropertyOption {
  label: string;
  value: string;
  hidden: boolean;
  displayOrder: number;
  description?: string;
}

/** A property definition as kept by the sandbox (a superset of what the API returns). */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyDataType;
  fieldType: string;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  calculated: boolean;
  externalOptions: boolean;
  hasUniqueValue: boolean;
  hidden: boolean;
  hubspotDefined: boolean;
  formField: boolean;
  /** Values cannot be written through the API. */
  readOnlyValue: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

type Seed = [name: string, label: string, type: PropertyDataType, fieldType: string, extra?: Partial<PropertyDefinition>];

function opts(...values: Array<string | [string, string]>): Partial<PropertyDefinition> {
  return {
    options: values.map((entry, index) => {
      const [value, label] = Array.isArray(entry) ? entry : [entry, entry];
      return { label, value, hidden: false, displayOrder: index };
    }),
  };
}

const READ_ONLY: Partial<PropertyDefinition> = { readOnlyValue: true, calculated: false, formField: false };
/** Set by HubSpot from form submissions (HubSpot marks these calculated). */
const CONVERSION: Partial<PropertyDefinition> = { ...READ_ONLY, calculated: true, groupName: 'conversioninformation' };
const OWNER: Seed = ['hubspot_owner_id', 'Owner', 'enumeration', 'select', { externalOptions: true }];
/** The owner's team (HubSpot also has it on contacts, companies and deals; modelled on tickets, where Service AI routes). */
const TEAM: Seed = ['hubspot_team_id', 'HubSpot Team', 'enumeration', 'select', { externalOptions: true }];

const LIFECYCLE = opts(
  ['subscriber', 'Subscriber'],
  ['lead', 'Lead'],
  ['marketingqualifiedlead', 'Marketing Qualified Lead'],
  ['salesqualifiedlead', 'Sales Qualified Lead'],
  ['opportunity', 'Opportunity'],
  ['customer', 'Customer'],
  ['evangelist', 'Evangelist'],
  ['other', 'Other'],
);

/**
 * `group` is the group of every property unless a seed names its own `groupName`; `extraGroups` lists the
 * other HubSpot groups used that way.
 */
const SEEDS: Record<CrmObjectType, { group: [string, string]; extraGroups?: Array<[string, string]>; props: Seed[] }> = {
  contacts: {
    group: ['contactinformation', 'Contact information'],
    extraGroups: [['conversioninformation', 'Conversion information']],
    props: [
      ['email', 'Email', 'string', 'text'],
      ['firstname', 'First Name', 'string', 'text'],
      ['lastname', 'Last Name', 'string', 'text'],
      ['phone', 'Phone Number', 'string', 'phonenumber'],
      ['mobilephone', 'Mobile Phone Number', 'string', 'phonenumber'],
      ['company', 'Company Name', 'string', 'text'],
      ['jobtitle', 'Job Title', 'string', 'text'],
      ['website', 'Website URL', 'string', 'text'],
      ['address', 'Street Address', 'string', 'text'],
      ['city', 'City', 'string', 'text'],
      ['state', 'State/Region', 'string', 'text'],
      ['zip', 'Postal Code', 'string', 'text'],
      ['country', 'Country/Region', 'string', 'text'],
      ['industry', 'Industry', 'string', 'text'],
      // On contacts a dropdown of ranges (on companies `numberofemployees` is a number).
      ['numemployees', 'Number of Employees', 'enumeration', 'select', opts('1-5', '5-25', '25-50', '50-100', '100-500', '500-1000', '1000+')],
      ['annualrevenue', 'Annual Revenue', 'string', 'text'],
      ['message', 'Message', 'string', 'textarea'],
      ['hs_timezone', 'Time Zone', 'string', 'text'],
      ['hs_language', 'Preferred language', 'string', 'text'],
      ['lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', LIFECYCLE],
      [
        'hs_lead_status',
        'Lead Status',
        'enumeration',
        'radio',
        opts(
          ['NEW', 'New'],
          ['OPEN', 'Open'],
          ['IN_PROGRESS', 'In Progress'],
          ['OPEN_DEAL', 'Open Deal'],
          ['UNQUALIFIED', 'Unqualified'],
          ['ATTEMPTED_TO_CONTACT', 'Attempted to Contact'],
          ['CONNECTED', 'Connected'],
          ['BAD_TIMING', 'Bad Timing'],
        ),
      ],
      OWNER,
      ['hs_email_domain', 'Email Domain', 'string', 'text', READ_ONLY],
      ['first_conversion_event_name', 'First Conversion', 'string', 'text', CONVERSION],
      ['first_conversion_date', 'First Conversion Date', 'datetime', 'date', CONVERSION],
      ['recent_conversion_event_name', 'Recent Conversion', 'string', 'text', CONVERSION],
      ['recent_conversion_date', 'Recent Conversion Date', 'datetime', 'date', CONVERSION],
      ['num_conversion_events', 'Number of Form Submissions', 'number', 'number', CONVERSION],
      ['notes_last_updated', 'Last Activity Date', 'datetime', 'date', READ_ONLY],
      ['createdate', 'Create Date', 'datetime', 'date'],
      ['lastmodifieddate', 'Last Modified Date', 'datetime', 'date', READ_ONLY],
      ['hs_object_id', 'Record ID', 'number', 'number', READ_ONLY],
    ],
  },
  companies: {
    group: ['companyinformation', 'Company information'],
    props: [
      ['name', 'Company name', 'string', 'text'],
      ['domain', 'Company Domain Name', 'string', 'text'],
      ['website', 'Website URL', 'string', 'text'],
      ['phone', 'Phone Number', 'string', 'phonenumber'],
      ['city', 'City', 'string', 'text'],
      ['state', 'State/Region', 'string', 'text'],
      ['country', 'Country/Region', 'string', 'text'],
      ['industry', 'Industry', 'string', 'text'],
      ['description', 'Description', 'string', 'textarea'],
      ['numberofemployees', 'Number of Employees', 'number', 'number'],
      ['annualrevenue', 'Annual Revenue', 'number', 'number'],
      ['lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', LIFECYCLE],
      OWNER,
      ['createdate', 'Create Date', 'datetime', 'date'],
      ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', READ_ONLY],
      ['hs_object_id', 'Record ID', 'number', 'number', READ_ONLY],
    ],
  },
  deals: {
    group: ['dealinformation', 'Deal information'],
    extraGroups: [['deal_activity', 'Deal activity']],
    props: [
      ['dealname', 'Deal Name', 'string', 'text'],
      ['amount', 'Amount', 'number', 'number'],
      [
        'dealstage',
        'Deal Stage',
        'enumeration',
        'radio',
        opts(
          ['appointmentscheduled', 'Appointment Scheduled'],
          ['qualifiedtobuy', 'Qualified To Buy'],
          ['presentationscheduled', 'Presentation Scheduled'],
          ['decisionmakerboughtin', 'Decision Maker Bought-In'],
          ['contractsent', 'Contract Sent'],
          ['closedwon', 'Closed Won'],
          ['closedlost', 'Closed Lost'],
        ),
      ],
      ['pipeline', 'Pipeline', 'enumeration', 'select', opts(['default', 'Sales Pipeline'])],
      ['closedate', 'Close Date', 'datetime', 'date'],
      ['dealtype', 'Deal Type', 'enumeration', 'radio', opts(['newbusiness', 'New Business'], ['existingbusiness', 'Existing Business'])],
      ['description', 'Deal Description', 'string', 'textarea'],
      OWNER,
      ['num_associated_contacts', 'Number of Contacts', 'number', 'number', READ_ONLY],
      ['hs_is_closed', 'Is Deal Closed?', 'bool', 'booleancheckbox', READ_ONLY],
      // What the daily pipeline review reads. HubSpot computes the stage's probability and the date the deal
      // entered its current stage (knowledge.hubspot.com/properties/stage-calculated-properties); the next step is the rep's.
      ['hs_next_step', 'Next step', 'string', 'textarea'],
      ['hs_deal_stage_probability', 'Deal probability', 'number', 'number', READ_ONLY],
      ['hs_v2_date_entered_current_stage', 'Date entered current stage', 'datetime', 'date', READ_ONLY],
      ['notes_last_updated', 'Last Activity Date', 'datetime', 'date', { ...READ_ONLY, groupName: 'deal_activity' }],
      ['notes_last_contacted', 'Last Contacted', 'datetime', 'date', { ...READ_ONLY, groupName: 'deal_activity' }],
      ['createdate', 'Create Date', 'datetime', 'date'],
      ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', READ_ONLY],
      ['hs_object_id', 'Record ID', 'number', 'number', READ_ONLY],
    ],
  },
  tickets: {
    group: ['ticketinformation', 'Ticket information'],
    props: [
      ['subject', 'Ticket name', 'string', 'text'],
      ['content', 'Ticket description', 'string', 'textarea'],
      ['hs_pipeline', 'Pipeline', 'enumeration', 'select', opts(['0', 'Support Pipeline'])],
      [
        'hs_pipeline_stage',
        'Ticket status',
        'enumeration',
        'select',
        opts(['1', 'New'], ['2', 'Waiting on contact'], ['3', 'Waiting on us'], ['4', 'Closed']),
      ],
      ['hs_ticket_priority', 'Priority', 'enumeration', 'select', opts(['LOW', 'Low'], ['MEDIUM', 'Medium'], ['HIGH', 'High'], ['URGENT', 'Urgent'])],
      [
        'hs_ticket_category',
        'Category',
        'enumeration',
        'checkbox',
        opts(
          ['PRODUCT_ISSUE', 'Product issue'],
          ['BILLING_ISSUE', 'Billing issue'],
          ['FEATURE_REQUEST', 'Feature request'],
          ['GENERAL_INQUIRY', 'General inquiry'],
        ),
      ],
      ['source_type', 'Source', 'enumeration', 'select', opts(['CHAT', 'Chat'], ['EMAIL', 'Email'], ['FORM', 'Form'], ['PHONE', 'Phone'])],
      OWNER,
      TEAM,
      ['createdate', 'Create date', 'datetime', 'date'],
      ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', READ_ONLY],
      ['hs_object_id', 'Record ID', 'number', 'number', READ_ONLY],
    ],
  },
  notes: {
    group: ['noteinformation', 'Note information'],
    props: [
      ['hs_note_body', 'Note body', 'string', 'html'],
      ['hs_timestamp', 'Activity date', 'datetime', 'date'],
      ['hs_attachment_ids', 'Attached file IDs', 'enumeration', 'checkbox', { externalOptions: true }],
      OWNER,
      ['hs_createdate', 'Create date', 'datetime', 'date', READ_ONLY],
      ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', READ_ONLY],
      ['hs_object_id', 'Record ID', 'number', 'number', READ_ONLY],
    ],
  },
  tasks: {
    group: ['taskinformation', 'Task information'],
    props: [
      ['hs_task_subject', 'Task Title', 'string', 'text'],
      ['hs_task_body', 'Notes', 'string', 'html'],
      [
        'hs_task_status',
        'Task Status',
        'enumeration',
        'select',
        opts(['NOT_STARTED', 'Not started'], ['IN_PROGRESS', 'In progress'], ['WAITING', 'Waiting'], ['COMPLETED', 'Completed'], ['DEFERRED', 'Deferred']),
      ],
      ['hs_task_priority', 'Priority', 'enumeration', 'select', opts(['NONE', 'None'], ['LOW', 'Low'], ['MEDIUM', 'Medium'], ['HIGH', 'High'])],
      ['hs_task_type', 'Task Type', 'enumeration', 'select', opts(['EMAIL', 'Email'], ['CALL', 'Call'], ['TODO', 'To-do'])],
      ['hs_timestamp', 'Due date', 'datetime', 'date'],
      OWNER,
      ['hs_createdate', 'Create date', 'datetime', 'date', READ_ONLY],
      ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', READ_ONLY],
      ['hs_object_id', 'Record ID', 'number', 'number', READ_ONLY],
    ],
  },
  // The properties HubSpot's email engagement guide lists for POST /crm/v3/objects/emails.
  emails: {
    group: ['emailinformation', 'Email information'],
    props: [
      ['hs_timestamp', 'Activity date', 'datetime', 'date'],
      [
        'hs_email_direction',
        'Email direction',
        'enumeration',
        'select',
        opts(['EMAIL', 'Email sent to contact'], ['INCOMING_EMAIL', 'Email reply from contact'], ['FORWARDED_EMAIL', 'Forwarded email']),
      ],
      ['hs_email_subject', 'Email subject', 'string', 'text'],
      ['hs_email_text', 'Email text', 'string', 'textarea'],
      ['hs_email_html', 'Email HTML', 'string', 'html'],
      [
        'hs_email_status',
        'Email send status',
        'enumeration',
        'select',
        opts(['BOUNCED', 'Bounced'], ['FAILED', 'Failed'], ['SCHEDULED', 'Scheduled'], ['SENDING', 'Sending'], ['SENT', 'Sent']),
      ],
      ['hs_email_headers', 'Email headers', 'string', 'textarea'],
      ['hs_attachment_ids', 'Attached file IDs', 'enumeration', 'checkbox', { externalOptions: true }],
      OWNER,
      ['hs_createdate', 'Create date', 'datetime', 'date', READ_ONLY],
      ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', READ_ONLY],
      ['hs_object_id', 'Record ID', 'number', 'number', READ_ONLY],
    ],
  },
};

/** Fresh copies of HubSpot's default properties of one object type. */
export function defaultPropertyDefinitions(type: CrmObjectType, now: number): PropertyDefinition[] {
  const seed = SEEDS[type];
  return seed.props.map(([name, label, dataType, fieldType, extra], index) => ({
    name,
    label,
    type: dataType,
    fieldType,
    groupName: seed.group[0],
    description: '',
    options: [],
    displayOrder: index,
    calculated: false,
    externalOptions: false,
    hasUniqueValue: false,
    hidden: false,
    hubspotDefined: true,
    formField: true,
    readOnlyValue: false,
    createdAt: now,
    updatedAt: now,
    ...(extra ?? {}),
  }));
}

export function defaultPropertyGroups(type: CrmObjectType): PropertyGroup[] {
  const seed = SEEDS[type];
  return [seed.group, ...(seed.extraGroups ?? [])].map(([name, label]) => ({ name, label, displayOrder: -1, archived: false }));
}
