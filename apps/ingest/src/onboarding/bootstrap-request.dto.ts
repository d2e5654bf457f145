import { ArrayMinSize, IsArray, IsIn, ValidateIf } from 'class-validator';
import { CAPABILITY_NAMES, type CapabilityName } from '@app/common';

const NAMES = CAPABILITY_NAMES.join(', ');

/** POST /admin/portals/:portalId/bootstrap (the body is optional). */
export class BootstrapRequestDto {
  /** Absent: the capabilities enabled for the portal. */
  // Not IsOptional: that would take null for absent.
  @ValidateIf((dto: BootstrapRequestDto) => dto.capabilities !== undefined)
  @IsArray({ message: `capabilities must be a list of capability names (${NAMES}); leave it out for the portal's enabled capabilities` })
  @ArrayMinSize(1, { message: "capabilities must name at least one capability; leave it out for the portal's enabled capabilities" })
  @IsIn(CAPABILITY_NAMES, { each: true, message: `each capability must be one of ${NAMES}` })
  capabilities?: CapabilityName[];
}
