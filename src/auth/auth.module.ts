import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { FailedAuthentications } from './failed-authentications';
import { Organization } from './organization.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Organization, ApiKey])],
  controllers: [AuthController],
  providers: [ApiKeysService, ApiKeyGuard, FailedAuthentications],
  exports: [ApiKeysService, ApiKeyGuard],
})
export class AuthModule {}
