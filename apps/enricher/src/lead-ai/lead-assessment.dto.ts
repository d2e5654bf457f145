import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

import { PERSONAS, type Persona } from '@app/common';

export { PERSONAS, type Persona };

/** What Lead AI must answer; a model answer is only used after it validates against this. */
export class LeadAssessment {
  @IsInt() @Min(0) @Max(100)
  score: number;

  @IsIn(PERSONAS)
  persona: Persona;

  @IsString() @MinLength(1) @MaxLength(1000)
  summary: string;

  @IsOptional() @IsArray() @ArrayMaxSize(5) @IsString({ each: true }) @MaxLength(100, { each: true })
  painPoints?: string[];

  @IsOptional() @IsString() @MaxLength(300)
  recommendedAction?: string;

  /** A first-touch email the rep can send; placeholders like {{FIRSTNAME_1}} are filled in before it is stored. */
  @IsOptional() @IsString() @MaxLength(4000)
  emailDraft?: string;
}
