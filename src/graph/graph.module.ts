import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Dependency } from './dependency.entity';
import { EntityNode } from './entity-node.entity';

@Module({
  imports: [TypeOrmModule.forFeature([EntityNode, Dependency])],
  exports: [TypeOrmModule],
})
export class GraphModule {}
