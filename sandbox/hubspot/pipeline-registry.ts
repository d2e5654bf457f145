import type { PropertyOption } from './default-properties.catalog';

/**
 * A portal's deal pipelines, as HubSpot's pipelines API describes them (`PublicApiSpecs/CRM/Pipelines/Rollouts/
 * 145896/2026-03`: Pipeline, PipelineStage). One definition feeds the pipelines endpoint, the options of the
 * `pipeline` and `dealstage` properties, and what the store computes from a deal's stage (`hs_deal_stage_probability`,
 * `hs_is_closed`), so the three never disagree.
 *
 * Deleting a pipeline or stage archives it (HubSpot's PipelinePatchInput restores an archived pipeline), and deals
 * keep the stage they were in: before 2026-09 HubSpot's DELETE did not check whether records used the stage (the
 * 2026-09 guide: "HubSpot will validate references before deleting a pipeline or pipeline stage"), so a portal can
 * hold deals in a stage no pipeline lists.
 */
export interface StoredStage {
  id: string;
  label: string;
  displayOrder: number;
  /** `metadata.probability` as HubSpot sends it: a string, 0.0–1.0 in steps of 0.1. */
  probability: string;
  /** `metadata.isClosed` (sent as "true"/"false"): closed won / closed lost stages. */
  isClosed: boolean;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
}

export interface StoredPipeline {
  id: string;
  label: string;
  displayOrder: number;
  stages: StoredStage[];
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
}

export interface AddPipelineStageInput {
  id?: string;
  label: string;
  displayOrder?: number;
  /** 0–1, in steps of 0.1 (HubSpot refuses others). */
  probability: number | string;
  isClosed?: boolean;
}

export interface AddPipelineInput {
  id?: string;
  label: string;
  displayOrder?: number;
  stages: AddPipelineStageInput[];
}

/** HubSpot's default deal pipeline ("Sales Pipeline", id `default`) and its stages' default probabilities. */
export const DEFAULT_DEAL_PIPELINE: AddPipelineInput = {
  id: 'default',
  label: 'Sales Pipeline',
  displayOrder: 0,
  stages: [
    { id: 'appointmentscheduled', label: 'Appointment Scheduled', probability: '0.2' },
    { id: 'qualifiedtobuy', label: 'Qualified To Buy', probability: '0.4' },
    { id: 'presentationscheduled', label: 'Presentation Scheduled', probability: '0.6' },
    { id: 'decisionmakerboughtin', label: 'Decision Maker Bought-In', probability: '0.8' },
    { id: 'contractsent', label: 'Contract Sent', probability: '0.9' },
    { id: 'closedwon', label: 'Closed Won', probability: '1.0', isClosed: true },
    { id: 'closedlost', label: 'Closed Lost', probability: '0.0', isClosed: true },
  ],
};

/** What a deal's stage gives the store: its probability and whether it is closed. */
export interface StageFacts {
  probability: string;
  isClosed: boolean;
}

const byOrder = <T extends { displayOrder: number; label: string }>(a: T, b: T): number => a.displayOrder - b.displayOrder || a.label.localeCompare(b.label);

export class DealPipelines {
  private readonly pipelines = new Map<string, StoredPipeline>();
  private nextId = 1;

  constructor(private readonly now: () => number) {
    // HubSpot's default pipeline and its stages have createdAt = 0 (the spec's Pipeline.createdAt).
    this.insert(DEFAULT_DEAL_PIPELINE, 0);
  }

  /** Adds a pipeline (ids generated when not given, as HubSpot's are). Throws on an invalid or clashing definition. */
  add(input: AddPipelineInput): StoredPipeline {
    return this.insert(input, this.now());
  }

  /** Archives a pipeline (HubSpot's DELETE); its deals keep their pipeline and stage. Throws when it does not exist. */
  deletePipeline(pipelineId: string): StoredPipeline {
    const pipeline = this.pipelines.get(pipelineId);
    if (!pipeline || pipeline.archivedAt !== null) throw new Error(`no deal pipeline ${pipelineId}`);
    pipeline.archivedAt = this.now();
    pipeline.updatedAt = pipeline.archivedAt;
    return pipeline;
  }

  /** Archives one stage of a pipeline; deals in it keep it. Throws when it does not exist. */
  deleteStage(pipelineId: string, stageId: string): StoredStage {
    const pipeline = this.pipelines.get(pipelineId);
    const stage = pipeline?.stages.find((s) => s.id === stageId && s.archivedAt === null);
    if (!pipeline || pipeline.archivedAt !== null || !stage) throw new Error(`no stage ${stageId} in deal pipeline ${pipelineId}`);
    stage.archivedAt = this.now();
    stage.updatedAt = stage.archivedAt;
    pipeline.updatedAt = stage.archivedAt;
    return stage;
  }

  /** The pipelines not archived, each with its stages not archived, in display order. */
  active(): StoredPipeline[] {
    return [...this.pipelines.values()]
      .filter((p) => p.archivedAt === null)
      .map((p) => ({ ...p, stages: p.stages.filter((s) => s.archivedAt === null).sort(byOrder) }))
      .sort(byOrder);
  }

  get(pipelineId: string): StoredPipeline | undefined {
    return this.active().find((p) => p.id === pipelineId);
  }

  /**
   * The facts of a deal's stage in its pipeline (any pipeline when the deal names none); undefined when no
   * pipeline lists it (deleted, or never there).
   */
  stage(pipelineId: string | undefined, stageId: string | undefined): StageFacts | undefined {
    if (stageId === undefined) return undefined;
    const candidates = pipelineId === undefined ? this.active() : this.active().filter((p) => p.id === pipelineId);
    for (const pipeline of candidates) {
      const stage = pipeline.stages.find((s) => s.id === stageId);
      if (stage) return { probability: stage.probability, isClosed: stage.isClosed };
    }
    return undefined;
  }

  /** The `pipeline` property's options (one per pipeline) and the `dealstage` property's (every stage). */
  propertyOptions(): { pipeline: PropertyOption[]; dealstage: PropertyOption[] } {
    const active = this.active();
    const option = (value: string, label: string, displayOrder: number): PropertyOption => ({ label, value, hidden: false, displayOrder });
    return {
      pipeline: active.map((p, i) => option(p.id, p.label, i)),
      dealstage: active.flatMap((p) => p.stages).map((s, i) => option(s.id, s.label, i)),
    };
  }

  private insert(input: AddPipelineInput, at: number): StoredPipeline {
    if (typeof input?.label !== 'string' || input.label === '') throw new Error('a pipeline needs a label');
    if (!Array.isArray(input.stages) || input.stages.length === 0) throw new Error('a pipeline needs at least one stage');
    const id = input.id ?? this.generatedId(new Set(this.pipelines.keys()));
    if (this.pipelines.has(id)) throw new Error(`deal pipeline ${id} exists`);
    const taken = new Set([...this.pipelines.values()].flatMap((p) => p.stages.map((s) => s.id)));
    const stages = input.stages.map((s, index): StoredStage => {
      if (typeof s?.label !== 'string' || s.label === '') throw new Error('a stage needs a label');
      const stageId = s.id ?? this.generatedId(taken);
      if (taken.has(stageId)) throw new Error(`deal stage ${stageId} exists`);
      taken.add(stageId);
      return { id: stageId, label: s.label, displayOrder: s.displayOrder ?? index, probability: probabilityOf(s.probability), isClosed: s.isClosed === true, createdAt: at, updatedAt: at, archivedAt: null };
    });
    const pipeline: StoredPipeline = { id, label: input.label, displayOrder: input.displayOrder ?? this.pipelines.size, stages, createdAt: at, updatedAt: at, archivedAt: null };
    this.pipelines.set(id, pipeline);
    return pipeline;
  }

  /** Numeric ids, as HubSpot gives pipelines and stages it creates. */
  private generatedId(taken: ReadonlySet<string>): string {
    while (taken.has(String(this.nextId))) this.nextId += 1;
    const id = String(this.nextId);
    this.nextId += 1;
    return id;
  }
}

/** HubSpot's rule for deal stages (spec, PipelineStageInput.metadata): probability 0.0–1.0 in steps of 0.1. */
function probabilityOf(raw: number | string): string {
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'string' && raw.trim() === '') throw new Error('a deal stage needs a probability');
  if (!Number.isFinite(n) || n < 0 || n > 1 || Math.abs(n * 10 - Math.round(n * 10)) > 1e-9) throw new Error(`probability must be 0.0–1.0 in steps of 0.1, got ${String(raw)}`);
  return (Math.round(n * 10) / 10).toFixed(1);
}
