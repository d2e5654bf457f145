import { budgetRetry, type BudgetPortal, type CallInit, type HubSpotApi, type HubSpotBudget, type HubSpotFailureClass, type HubSpotOperationName, type OperationParams } from '@app/common';

/** One HubSpot answer: the body of a success, or the failure classified (`status` null: no HTTP answer, or the budget refused). */
export type CallAnswer = { ok: true; status: number; body: unknown } | { ok: false; status: number | null; failure: HubSpotFailureClass };

/**
 * HubSpot calls for one portal and token, each inside the portal's shared budget
 * (docs/decisions/0008): a call waits in place for the budget at most `maxBudgetWaitMs`,
 * else it is not sent and answers a retriable failure; every answer's rate-limit
 * headers (and a 429's policy) go back into the budget, so the platform never earns a 429.
 * After one refusal the later calls ask without waiting: a spent budget does not come
 * back within seconds, and the caller (an operator's request) should not wait once per call.
 */
export class BudgetedCalls {
  constructor(
    private readonly hubspot: HubSpotApi,
    private readonly budget: HubSpotBudget,
    private readonly portal: BudgetPortal,
    private readonly accessToken: string,
    private maxBudgetWaitMs: number,
  ) {}

  async call<O extends HubSpotOperationName>(operation: O, params: OperationParams<O>, init: CallInit = {}): Promise<CallAnswer> {
    const grant = await this.budget.acquireWithin(this.portal, this.maxBudgetWaitMs);
    if (!grant.granted) {
      this.maxBudgetWaitMs = 0;
      return { ok: false, status: null, failure: budgetRetry(grant) };
    }
    const answer = await this.hubspot.call(this.accessToken, operation, params, init);
    const failure = await this.budget.learnFrom(this.portal.portalId, answer);
    if (answer.ok) return { ok: true, status: answer.status, body: answer.body };
    return { ok: false, status: typeof answer.error.code === 'number' ? answer.error.code : null, failure: failure! };
  }
}
