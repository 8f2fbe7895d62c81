module.exports = () => require('./postgres-database').setup();
