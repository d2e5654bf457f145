/** Injection tokens for the platform's shared providers (classes are injected by type). */
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const TOPICS = Symbol('TOPICS');
export const CLOCK = Symbol('CLOCK');

export type Clock = () => Date;
