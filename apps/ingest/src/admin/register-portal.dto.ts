import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';

export class RegisterPortalDto {
  @IsInt({ message: 'portalId must be an integer (the HubSpot hub id)' })
  @Min(1, { message: 'portalId must be positive' })
  portalId: number;

  @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @IsString() @IsNotEmpty({ message: 'accessToken is required (private app token or OAuth access token)' }) @MaxLength(4096)
  accessToken: string;
}
