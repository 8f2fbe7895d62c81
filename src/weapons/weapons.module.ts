import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Weapon } from './weapon.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Weapon])],
  exports: [TypeOrmModule],
})
export class WeaponsModule {}
