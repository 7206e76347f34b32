import type { Config } from '../config/schema.ts';
import { buildDates, type Dates } from './dates.ts';
import { buildFacts, type Facts } from './facts.ts';
import { buildLists, type Lists } from './lists.ts';
import { buildPersonal, type Personal } from './personal.ts';
import { buildProgress, type Progress } from './progress.ts';

export type { DateAsk, Dates } from './dates.ts';
export type { FactAnswer, Facts } from './facts.ts';
export type { Lists } from './lists.ts';
export type { Personal, PersonalMail } from './personal.ts';
export type { Progress, ProgressAsk } from './progress.ts';

/** Every self-service recognizer of a configuration, built once (phrases folded and indexed). */
export interface Answers {
  facts: Facts;
  lists: Lists;
  dates: Dates;
  personal: Personal;
  progress: Progress;
}

export function buildAnswers(config: Config): Answers {
  return {
    facts: buildFacts(config),
    lists: buildLists(config),
    dates: buildDates(config),
    personal: buildPersonal(config),
    progress: buildProgress(config),
  };
}
